import core.audit_actions as audit_actions

# The chain and page tests write made-up actions of their own, to test the chain rather than any
# one action; ``record`` writes only declared names, so they are declared here, for tests only.
for _name in ("test.ip", "test.concurrent", "custom.note", "custom.system_event"):
    if not audit_actions.is_declared(_name):
        audit_actions.register(_name, "Test event", "{actor} wrote a test event")
