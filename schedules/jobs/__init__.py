"""The scheduled jobs, one module per concern. Each returns a Plan; the runner queues it."""
