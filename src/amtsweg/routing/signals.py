"""Keep every process's routing lookup structures fresh: any write that changes who is responsible,
where applications go, or which places exist bumps the shared counter (see `resolution.invalidate`)."""

from django.db.models.signals import post_delete, post_save


def _changed(sender, **kwargs) -> None:
    from amtsweg.routing.resolution import invalidate

    if kwargs.get("raw"):
        return
    invalidate()


def connect() -> None:
    from amtsweg.accounts.models import Authority
    from amtsweg.geo.models import Municipality, PostcodeArea
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility

    for model in (Responsibility, Destination, DestinationKey, Authority, Municipality, PostcodeArea):
        post_save.connect(_changed, sender=model, dispatch_uid=f"routing-index-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"routing-index-{model.__name__}-delete")
