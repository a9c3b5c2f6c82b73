"""The reference client removes the temporary files and folders a killed run left, but not a running one's."""

import os
import time
import uuid

from amtsweg_subscriber.receiver import Receiver


def _age(path, seconds: float) -> None:
    when = time.time() - seconds
    for inner in sorted(path.rglob("*"), reverse=True) if path.is_dir() else []:
        os.utime(inner, (when, when))
    os.utime(path, (when, when))


def _folder(out, seconds: float):
    tmp = out / f".{uuid.uuid4()}.0badc0de.tmp"
    (tmp / "attachments").mkdir(parents=True)
    (tmp / "application.json").write_text("{}")
    (tmp / "attachments" / "a-antrag.pdf").write_bytes(b"%PDF")
    _age(tmp, seconds)
    return tmp


def _spool_file(out, seconds: float):
    tmp = out / ".inbox" / f"{uuid.uuid4()}.0badc0de.tmp"
    tmp.parent.mkdir(exist_ok=True)
    tmp.write_text("{}")
    _age(tmp, seconds)
    return tmp


class NoSubmissions:
    def destination_ids(self):
        return []


def test_start_removes_stale_leftovers_and_keeps_everything_else(tmp_path):
    crashed, crashed_spool = _folder(tmp_path, 7200), _spool_file(tmp_path, 7200)
    running, running_spool = _folder(tmp_path, 10), _spool_file(tmp_path, 10)
    done = tmp_path / str(uuid.uuid4())
    done.mkdir()
    _age(done, 7200)
    spooled = tmp_path / ".inbox" / f"{uuid.uuid4()}.json"
    spooled.write_text("{}")
    _age(spooled, 7200)
    Receiver(NoSubmissions(), None, None, tmp_path)
    assert not crashed.exists() and not crashed_spool.exists()
    assert running.exists() and running_spool.exists() and done.exists() and spooled.exists()


def test_a_folder_still_written_into_is_not_stale(tmp_path):
    slow = _folder(tmp_path, 7200)
    os.utime(slow / "attachments" / "a-antrag.pdf")  # a large attachment is still being written
    Receiver(NoSubmissions(), None, None, tmp_path, stale_tmp_seconds=600)
    assert slow.exists()


def test_polling_cleans_again_at_most_once_per_period(tmp_path):
    receiver = Receiver(NoSubmissions(), None, None, tmp_path, stale_tmp_seconds=600)
    later = _folder(tmp_path, 1200)
    assert receiver.poll_once() == [] and later.exists()  # cleaned at start a moment ago
    receiver._last_cleanup -= 601
    receiver.poll_once()
    assert not later.exists()


def test_a_spooled_submission_whose_accept_was_interrupted_leaves_the_spool_once_confirmed(tmp_path):
    """Unpacked, then the accept failed (the platform's web host died mid-request): the next round confirms
    it and removes it from the spool, instead of finding it there again on every round (a hot loop that
    printed "already-processed" hundreds of thousands of times in benchmarks/stichtag.py)."""
    from joserfc.jwk import RSAKey

    submission_id, posted = str(uuid.uuid4()), []

    class Api:
        def destination_ids(self):
            return []

        def post_event(self, case_id, token):
            posted.append(case_id)
            return 204

    receiver = Receiver(Api(), None, RSAKey.generate_key(2048, parameters={"kid": "sig"}, private=True), tmp_path)
    folder = receiver.folder(submission_id)
    folder.mkdir()
    (folder / ".tags.json").write_text('{"metadata": "t", "attachments": {}}')
    spooled = receiver._spool_file(submission_id)
    spooled.parent.mkdir()
    spooled.write_text(f'{{"submissionId": "{submission_id}", "caseId": "{uuid.uuid4()}", '
                       f'"destinationId": "{uuid.uuid4()}"}}')

    assert receiver.process(submission_id).status == "already-processed"
    assert posted and not spooled.exists() and receiver.spooled_ids() == []
    assert (folder / ".accepted").exists()
