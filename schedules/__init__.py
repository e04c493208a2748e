"""Scheduled jobs: short, platform-free, each calling services and queueing outbox rows."""
