-- Maintenance (warehouse/maintenance.py): gate results older than $days days go.
DELETE FROM dq_results WHERE recorded_at < now() - to_days($days)
