"""The WSGI entry point gunicorn serves: the app built from the environment and .env."""
from dotenv import load_dotenv

from web import create_app
from zapfleet.cli import env_file_path

load_dotenv(env_file_path(), override=False)
app = create_app()
