"""The station's settings as a Django settings module, for tools that need one (django-admin, mypy's
Django plugin); the station itself configures Django from ``settings()`` and never imports this."""

from station.settings import settings

globals().update(settings())
