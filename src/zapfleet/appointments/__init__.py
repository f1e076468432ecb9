"""Appointments: services, free slots, notices and the WhatsApp booking bot."""
