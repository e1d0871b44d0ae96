from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The staff screens: one package per ``/desk/<part>/`` URL prefix (articles, reviews, audit,
    inbox). Each view reads a request and calls a domain function of the app it is named after;
    the rules stay in those apps, which never import this one."""

    name = "desk"
    verbose_name = "Staff desk"
