-- Copies and stories (tasks/stories): near-duplicate text across sources, and the articles
-- that tell the same event. Signatures and story terms are stored so that a run only hashes
-- the articles it loaded or changed; candidates are found by joins on these tables.

-- One MinHash signature per article body (word shingles), for the body it was computed from.
CREATE TABLE article_signatures (
    article_id VARCHAR PRIMARY KEY,
    body_sha VARCHAR NOT NULL,
    minhash BLOB NOT NULL,  -- num_perm little-endian uint32 hash values
    shingles INTEGER NOT NULL,
    run_id VARCHAR NOT NULL
);

-- LSH: the signature cut into bands; two articles sharing a (band, bucket) are candidates.
CREATE TABLE article_bands (
    article_id VARCHAR NOT NULL,
    band SMALLINT NOT NULL,
    bucket UBIGINT NOT NULL
);

-- The names, places and rare words of an article's title and lead: same_story candidates
-- share some of them within a time window.
CREATE TABLE article_terms (
    article_id VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    in_title BOOLEAN NOT NULL
);

-- Pairs of articles: the same text (`copy`) or the same event told differently
-- (`same_story`). article_id < other_id, one row per pair.
CREATE TABLE article_links (
    article_id VARCHAR NOT NULL,
    other_id VARCHAR NOT NULL,
    similarity DOUBLE NOT NULL,
    relation VARCHAR NOT NULL CHECK (relation IN ('copy', 'same_story')),
    run_id VARCHAR NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, other_id)
);

-- Stories: connected groups of linked articles (an article with no link is a story of one).
-- story_id is the article_id of the story's earliest article (published first; on a tie,
-- loaded first).
CREATE TABLE stories (
    story_id VARCHAR PRIMARY KEY,
    first_seen TIMESTAMPTZ,
    first_outlet VARCHAR,
    article_count INTEGER NOT NULL,
    outlet_count INTEGER NOT NULL,
    outlets VARCHAR[] NOT NULL,
    copies INTEGER NOT NULL,
    title VARCHAR,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL
);

CREATE TABLE story_articles (
    article_id VARCHAR PRIMARY KEY,
    story_id VARCHAR NOT NULL
);

-- Runs whose stories step finished (links and stories written). An article hashed by a run
-- missing here (the step was interrupted after hashing) is indexed again by the next run.
CREATE TABLE story_runs (
    run_id VARCHAR PRIMARY KEY,
    indexed INTEGER NOT NULL,
    links INTEGER NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
