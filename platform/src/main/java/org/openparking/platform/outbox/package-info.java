/** The transactional outbox store: insert, claim, mark sent, prune; SQLite and PostgreSQL. */
package org.openparking.platform.outbox;
