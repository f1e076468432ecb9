"""The WhatsApp workers: instances, their supervisord programs, engines and servers."""
