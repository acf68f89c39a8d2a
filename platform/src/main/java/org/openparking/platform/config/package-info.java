/** Layered configuration on Helidon Config: environment, system properties, PARKING_CONFIG, application.yaml. */
package org.openparking.platform.config;
