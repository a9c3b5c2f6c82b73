"""Tasks of the delivery app. They carry no delivery state: a task only wakes a worker."""

from django.tasks import task

from amtsweg.delivery import services


@task()
def wake() -> dict[str, int]:
    """Deliver everything that is due now."""
    return services.run_until_idle()
