"""The sync engine, database → Mailchimp: desired state, pure planner, batching applier, ledger, runs.

desired.py  (CRM tables -> DesiredMember per subscriber hash)
planner.py  (pure: desired + ledger -> Plan of operations)
applier.py  (Plan -> as few Mailchimp requests as possible; outcomes recorded in the ledger page by page)
ledger.py   (what Mailchimp holds, per integration and subscriber hash)
runs.py     (sync_run rows: trigger, mode, phase, counters, errors)
"""
