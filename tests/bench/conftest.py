import core.audit_actions as audit_actions

# test_seed_bench writes one made-up event before seeding; ``record`` writes only declared names.
if not audit_actions.is_declared("bench.before_seed"):
    audit_actions.register("bench.before_seed", "Test event", "A test event before seeding")
