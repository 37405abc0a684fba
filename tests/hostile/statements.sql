-- Statements that would break the register's promises if it let them: one per line,
-- each must be refused by the database itself and leave it unchanged (tests/run-hostile.sh).
-- A mark changed, moved or removed with no amendment
REPLACE INTO marks (pupil_id, date, session, code) SELECT pupil_id, date, session, 'O' FROM marks WHERE code = '/' LIMIT 1;
INSERT OR REPLACE INTO marks (pupil_id, date, session, code) SELECT pupil_id, date, session, 'G' FROM marks LIMIT 1;
INSERT INTO marks (pupil_id, date, session, code) SELECT pupil_id, date, session, 'G' FROM marks LIMIT 1 ON CONFLICT DO UPDATE SET code = 'G';
UPDATE OR REPLACE marks SET session = 'PM' WHERE session = 'AM';
UPDATE marks SET session = 'PM' WHERE session = 'AM' AND date = (SELECT min(date) FROM marks);
UPDATE marks SET date = '2017-09-04' WHERE date = (SELECT min(date) FROM marks);
UPDATE OR REPLACE marks SET date = (SELECT max(date) FROM marks) WHERE date = (SELECT min(date) FROM marks);
UPDATE marks SET pupil_id = pupil_id + 1;
UPDATE OR REPLACE marks SET pupil_id = (SELECT max(id) FROM pupils);
UPDATE marks SET minutes_late = 45 WHERE date = (SELECT min(date) FROM marks);
UPDATE marks SET arrival = '09:45' WHERE date = (SELECT min(date) FROM marks);
UPDATE marks SET code = 'G' WHERE date = (SELECT min(date) FROM marks);
DELETE FROM marks;
DELETE FROM marks WHERE date = (SELECT max(date) FROM marks);
-- A pupil replaced (orphaning their marks), renumbered or removed
REPLACE INTO pupils (upn, surname, forename) SELECT upn, 'New', 'Name' FROM pupils LIMIT 1;
REPLACE INTO pupils (id, upn, surname, forename) SELECT id, upn, 'New', 'Name' FROM pupils LIMIT 1;
INSERT OR REPLACE INTO pupils (id, upn, surname, forename) SELECT id, 'Z999', 'New', 'Name' FROM pupils LIMIT 1;
UPDATE OR REPLACE pupils SET upn = (SELECT max(upn) FROM pupils) WHERE id = (SELECT min(id) FROM pupils);
UPDATE pupils SET id = id + 1000;
UPDATE pupils SET upn = 'Z' || upn;
DELETE FROM pupils;
-- The audit trail rewritten
REPLACE INTO amendments (id, pupil_id, date, session, original_code, amended_code, reason, amended_on, amended_by) SELECT id, pupil_id, date, session, original_code, amended_code, 'rewritten', amended_on, amended_by FROM amendments LIMIT 1;
INSERT OR REPLACE INTO amendments (id, pupil_id, date, session, original_code, amended_code, reason, amended_on, amended_by) SELECT id, pupil_id, date, session, 'O', amended_code, reason, amended_on, 'someone else' FROM amendments LIMIT 1;
UPDATE amendments SET reason = 'rewritten';
UPDATE OR REPLACE amendments SET id = id + 1;
DELETE FROM amendments;
REPLACE INTO decisions (id, policy, pupil_id, as_of, kind, event, name, stage, detail, recorded_at) SELECT id, policy, pupil_id, as_of, kind, event, 'rewritten', stage, detail, recorded_at FROM decisions LIMIT 1;
REPLACE INTO decisions (policy, pupil_id, as_of, kind, event, name, stage, detail) SELECT policy, pupil_id, as_of, kind, event, name, stage, 'rewritten' FROM decisions LIMIT 1;
INSERT OR REPLACE INTO decisions (policy, pupil_id, as_of, kind, event, name) SELECT policy, pupil_id, as_of, kind, event, name FROM decisions LIMIT 1;
UPDATE decisions SET name = 'rewritten';
UPDATE OR REPLACE decisions SET as_of = '2024-09-03';
DELETE FROM decisions;
-- A parent moved away from their notices
UPDATE parents SET parent_id = 'P9';
UPDATE OR REPLACE parents SET pupil_id = (SELECT max(id) FROM pupils);
