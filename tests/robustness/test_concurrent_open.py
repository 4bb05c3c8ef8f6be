"""Several processes creating the same fresh database at once all get a usable store."""

import subprocess
import sys

SCRIPT = "import sys; from citeaudit.store import Store; Store(sys.argv[1]); print('ok')"


def test_six_processes_create_one_fresh_database(tmp_path):
    db = tmp_path / "race.db"
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err[-500:] for _, err in outs]
    assert all(out.strip() == "ok" for out, _ in outs)
    import sqlite3

    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone() == ("ok",)
    assert con.execute("select count(*) from alembic_version").fetchone() == (1,)
