-- The impressions a decision counts for caps are kept in the decision's own
-- row (column counters) instead of a table of their own (docs/adr/0006,
-- "Fewer pages per decision (stop 15)"). A decision wrote a row in each table
-- and an entry in each one's subject and age indexes: seven B-trees, two of
-- them at a random place (the subject indexes). It now writes four, one at a
-- random place. Format: JSON groups of a scope followed by its keys,
-- [["placement","home"],["item","a","b"]]; NULL when it counted nothing or
-- after the counters' retention (src/modules/decisions/decisions.store.ts).

ALTER TABLE decisions ADD COLUMN counters TEXT;

-- Each decision's counters come from the rows counted for its subject at its
-- time (the same transaction wrote both). Two decisions of one subject in one
-- millisecond cannot be told apart: their rows go to the first, so that none
-- is counted twice. Packed item rows (scope 'items', a JSON array of ids) are
-- unpacked into the group "item".
UPDATE decisions SET counters = (
  SELECT '[' || group_concat(
           CASE WHEN c.scope = 'items' THEN json('["item",' || substr(c.key, 2))
                ELSE json_array(c.scope, c.key) END, ',') || ']'
    FROM decision_counters c
   WHERE c.tenant_id = decisions.tenant_id AND c.subject_id = decisions.subject_id AND c.at = decisions.created_at)
 WHERE subject_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM decisions d INDEXED BY decisions_subject -- not the key's: one search, no scan
                    WHERE d.tenant_id = decisions.tenant_id AND d.subject_id = decisions.subject_id
                      AND d.created_at = decisions.created_at AND d.id < decisions.id);

DROP TABLE decision_counters;

-- A subject's counters are read from their index alone.
DROP INDEX decisions_subject;
CREATE INDEX decisions_subject ON decisions(tenant_id, subject_id, created_at, counters);

-- The retention sweep clears counters older than their limit, then deletes
-- decisions older than theirs: with (counters IS NULL) first, each is a range
-- of this one index (a decision writes no more index entries than before).
DROP INDEX decisions_age;
CREATE INDEX decisions_age ON decisions(counters IS NULL, created_at);
