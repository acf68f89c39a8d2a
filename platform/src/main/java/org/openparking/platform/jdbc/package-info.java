/** Data sources (SQLite, PostgreSQL) with their timeouts, and the one transaction helper. */
package org.openparking.platform.jdbc;
