-- Rejections that outgrow the server (a 50 MB line, a detail quoting a 70,000-character
-- value) are stored cut to fit: raw_bytes and detail_bytes keep the size of the whole
-- text (NULL when it is stored whole). The whole text is in the rejected-rows file.
-- Every rerun of a file records its rejections again: rejections_latest keeps, for
-- each tool and file name, only those of the latest run that read the file to its end,
-- the rows still rejected today. Released: never edit; add a new step instead.
ALTER TABLE rejections
  ADD COLUMN IF NOT EXISTS detail_bytes BIGINT NULL AFTER raw,
  ADD COLUMN IF NOT EXISTS raw_bytes BIGINT NULL AFTER detail_bytes;

CREATE OR REPLACE SQL SECURITY INVOKER VIEW rejections_latest AS
  SELECT r.id, r.run_id, r.tool, r.file, f.sha256, r.entity, r.line, r.codes, r.detail, r.raw,
    r.detail_bytes, r.raw_bytes, r.created_at
  FROM rejections r
  JOIN journal j ON j.run_id = r.run_id
  JOIN journal_files f ON f.run_id = r.run_id AND f.file = r.file
  WHERE f.sha256 IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM journal_files f2 JOIN journal j2 ON j2.run_id = f2.run_id
    WHERE f2.file = r.file AND j2.tool = j.tool AND f2.sha256 IS NOT NULL
      AND (j2.started_at > j.started_at OR (j2.started_at = j.started_at AND j2.run_id > j.run_id)));
