package org.openparking.protocol;

/** Apply a new tariff version; an edge ignores a version not newer than its own. */
public record UpdateTariff(Tariff tariff) implements Message.Command {
    public UpdateTariff {
        Checks.requireNonNull(tariff, "tariff");
    }
}
