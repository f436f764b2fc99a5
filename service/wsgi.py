"""WSGI entry for production servers: ``gunicorn -w 4 -b 0.0.0.0:8080 service.wsgi:app``."""

from service import create_app
from service.logs import configure_logging
from service.settings import load_settings

settings = load_settings()
configure_logging(settings)
app = create_app(settings)
