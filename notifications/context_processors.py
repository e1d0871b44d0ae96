from django.utils.functional import SimpleLazyObject

from .inbox import unread_count


def unread_notifications(request) -> dict:
    """``unread_notifications`` for the header badge of staff pages.

    Lazy, so that the count is queried only by a template that shows it (the staff
    pages' header), not on every page rendered with a request.
    """
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
