"""The scheduler as a service: `workflow run` (jobs on schedules, signals, leases) and `workflow status`."""
