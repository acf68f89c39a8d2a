-- Which level a session entered on and which level's exit it left by: a ticket is valid at every gate of the
-- lot, so they may differ, and then the entry level is sent command.close-session (it would otherwise keep the
-- session open). entry_level_id comes only from session.opened, exit_level_id only from session.closed, like the
-- other columns. Sessions recorded before this migration keep NULL and get no command.
-- (Numbered after the gateway's V100/V101 so databases already at V101 apply it in order.)
ALTER TABLE sessions ADD COLUMN entry_level_id TEXT;
ALTER TABLE sessions ADD COLUMN exit_level_id  TEXT;
