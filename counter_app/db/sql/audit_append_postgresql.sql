-- counter_app: append audit entries to the hash chain in one round trip (PostgreSQL).
--
-- Every writer shares the chain, so linking is serialized by a transaction-scoped
-- advisory lock. Linking inside the server keeps that lock for this call and the
-- commit only: no workstation holds it while its own program runs (with twenty clerks
-- on two cores, a lock held across client round trips made most of them queue).
-- Each statement of a PL/pgSQL function takes a new snapshot, so the chain's tail is
-- read after the lock is granted, never before.
--
-- entry_hash = hex(SHA-256(prev_hash || content_digest)), content_digest being the
-- hex SHA-256 of the entry's canonical content, computed by the caller
-- (counter_app/services/audit.py: link_hash, content_digest).
CREATE OR REPLACE FUNCTION counter_app_audit_append(
    p_at timestamp without time zone[],
    p_actor text[],
    p_action text[],
    p_entity text[],
    p_entity_key text[],
    p_before text[],
    p_after text[],
    p_digest text[]
) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    prev text;
    linked text;
    i integer;
BEGIN
    PERFORM pg_advisory_xact_lock(27988572849333618);
    SELECT entry_hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    FOR i IN 1 .. coalesce(array_length(p_digest, 1), 0) LOOP
        linked := encode(sha256(convert_to(prev || p_digest[i], 'UTF8')), 'hex');
        INSERT INTO audit_log (at, actor, action, entity, entity_key, before, after,
                               prev_hash, entry_hash)
        VALUES (p_at[i], p_actor[i], p_action[i], p_entity[i], p_entity_key[i],
                p_before[i], p_after[i], prev, linked);
        prev := linked;
    END LOOP;
END;
$$;
