/** JSON over HTTP: Helidon's Jackson media support, one error body, one error mapping per service. */
package org.openparking.platform.json;
