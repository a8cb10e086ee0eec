-- Where a broadcast was composed ("feishu:<chat id>"), so its summary goes back there.
ALTER TABLE broadcasts ADD COLUMN origin TEXT;
