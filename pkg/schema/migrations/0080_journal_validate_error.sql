-- validate records a check that could not run (its query failed: a column altered or
-- dropped, a privilege withheld) as ERROR, apart from a check that found offending rows
-- (FAIL): a night whose verdict is incomplete must not read as one that found tampering.
-- The status widens to five characters and its CHECK takes ERROR. Each statement is safe
-- to run again. Released: never edit; add a new step instead.
ALTER TABLE validate_results MODIFY status VARCHAR(5) NOT NULL;
ALTER TABLE validate_results DROP CONSTRAINT IF EXISTS ck_validate_results_status;
ALTER TABLE validate_results ADD CONSTRAINT ck_validate_results_status CHECK (status IN ('PASS', 'FAIL', 'WARN', 'ERROR'));
