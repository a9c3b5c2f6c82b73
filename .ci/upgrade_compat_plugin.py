"""pytest plugin for .ci/upgrade-compat: the old code's tests run on the new schema without transactional tests.

Transactional tests end with a flush (TRUNCATE) of the tables the *old* code knows; on PostgreSQL that fails
when a table only the new schema has references one of them by foreign key. That is a limit of the test
harness, not of a rolling upgrade (old processes never truncate), so those tests are deselected here; the
rest run inside transactions that roll back and leave the new schema's rows alone.
"""


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")))
        if transactional or {"transactional_db", "live_server"} & set(item.fixturenames):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
