from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from gunicorn.app.base import BaseApplication


class PortalServer(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called by gunicorn where the application is to run (each worker), not at start-up.
        return get_wsgi_application()


class Command(BaseCommand):
    help = "Serve the portal with gunicorn (bind address and workers from [server])."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.CONFIG.server.host)
        parser.add_argument("--port", type=int, default=settings.CONFIG.server.port)
        parser.add_argument("--workers", type=int, default=settings.CONFIG.server.workers)

    def handle(self, *args, host, port, workers, **options):
        PortalServer({
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            # Our own middleware decides which proxies to believe; gunicorn must believe none.
            "forwarded_allow_ips": "",
            "timeout": 60,
        }).run()
