"""Another web process, for tests/public/test_pointer_memory.py: it holds a pointer lease
and answers commands on stdin, one per line, with one JSON line on stdout.

    remember <key> <value>   keep a value (as a request that read it from Redis would)
    recall <key>             the remembered value, or null
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from public.pointer_memory import PointerMemory

    lease = float(sys.argv[1])
    settings.VETTED["POINTER_LEASE_SECONDS"] = lease
    memory = PointerMemory(lease)
    memory.start()
    print(json.dumps({"ready": memory.wait_for_lease(10), "worker": memory.worker_id}), flush=True)
    for line in sys.stdin:
        command, key, *value = line.split()
        if command == "remember":
            memory.remember(memory.begin_read(), {key: value[0]})
            print(json.dumps({"ok": True}), flush=True)
        elif command == "recall":
            found = memory.recall([key])
            print(json.dumps({"value": None if found is None else found[key]}), flush=True)
    memory.stop()


if __name__ == "__main__":
    main()
