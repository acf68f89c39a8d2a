package org.openparking.firmware;

/** What the level's LED count sign shows. */
public sealed interface SignContent {
    /** The number of free spaces. */
    record Free(int count) implements SignContent {
        public Free {
            if (count < 0) {
                throw new IllegalArgumentException("free count cannot be negative: " + count);
            }
        }
    }

    /** {@code FULL}. */
    record Full() implements SignContent {
    }

    /** {@code CLOSED}: the level was closed by an operator. */
    record Closed() implements SignContent {
    }

    /** {@code --}: the sign's data is stale or the controller lost track; never show an old number. */
    record Blank() implements SignContent {
    }

    /** The text a segment display shows for this content, at most four characters. */
    default String text() {
        return switch (this) {
            case Free f -> f.count() > 9999 ? "9999" : Integer.toString(f.count());
            case Full f -> "FULL";
            case Closed c -> "CLSD";
            case Blank b -> "--";
        };
    }
}
