"""The project's URLs, plus the baseline the benchmark measures every page against."""

from django.urls import path

from bench.views import fortunes
from careerpath.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/fortunes/", fortunes, name="baseline"), *project_urlpatterns]
