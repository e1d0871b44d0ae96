from django.apps import AppConfig


class BenchConfig(AppConfig):
    # An app only so that it owns its command (``manage.py seed_bench``); it has no models.
    name = "bench"
    verbose_name = "Benchmarks"
