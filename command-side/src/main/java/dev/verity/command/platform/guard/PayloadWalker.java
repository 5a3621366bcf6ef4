package dev.verity.command.platform.guard;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.ZoneId;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Visits every value inside a command, naming each by its path as a client would write it:
 * record components by name, map entries by key ({@code metadata.nested.key}), list items by
 * index ({@code dependencies[2]}). Enums are skipped (their constants are ours). A type it cannot
 * see into is a programming error, not a pass: commands are records of plain values, and a
 * guard that skipped the unknown would let the next command's fields through unchecked.
 */
final class PayloadWalker {

    private static final int MAX_SEGMENT = 64;
    private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Method[] accessors = new Method[components.length];
            for (int i = 0; i < components.length; i++) {
                accessors[i] = components[i].getAccessor();
                accessors[i].setAccessible(true);
            }
            return accessors;
        }
    };

    interface Visitor {

        /** A map reached outside any other map: one free-form JSON field, seen whole before its entries. */
        void freeForm(String path, Map<?, ?> map);

        /** A map key, with the value it names, before that value is walked. */
        void key(String mapPath, String key, Object value);

        /** A plain value: text, number, boolean, UUID, instant... */
        void leaf(String path, Object value);
    }

    private PayloadWalker() {
    }

    static void walk(String path, Object value, Visitor visitor) {
        walk(path, value, visitor, false);
    }

    private static void walk(String path, Object value, Visitor visitor, boolean inFreeForm) {
        if (value == null || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            if (!inFreeForm) {
                visitor.freeForm(path, map);
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                visitor.key(path, key, entry.getValue());
                walk(child(path, key), entry.getValue(), visitor, true);
            }
        } else if (value instanceof Iterable<?> items) {
            int index = 0;
            for (Object item : items) {
                walk(path + "[" + index++ + "]", item, visitor, inFreeForm);
            }
        } else if (value instanceof Optional<?> optional) {
            optional.ifPresent(present -> walk(path, present, visitor, inFreeForm));
        } else if (value.getClass().isArray() && !value.getClass().getComponentType().isPrimitive()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                walk(path + "[" + i + "]", Array.get(value, i), visitor, inFreeForm);
            }
        } else if (value instanceof Record) {
            RecordComponent[] components = value.getClass().getRecordComponents();
            Method[] accessors = ACCESSORS.get(value.getClass());
            for (int i = 0; i < components.length; i++) {
                walk(child(path, components[i].getName()), read(accessors[i], value), visitor, inFreeForm);
            }
        } else if (isPlain(value)) {
            visitor.leaf(path, value);
        } else {
            throw new IllegalStateException("The command guard cannot inspect " + value.getClass().getName() + " at "
                                            + path + "; make command fields records, collections or plain values");
        }
    }

    private static boolean isPlain(Object value) {
        return value instanceof CharSequence || value instanceof Number || value instanceof Boolean
               || value instanceof Character || value instanceof UUID || value instanceof URI
               || value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof ZoneId
               || value.getClass().isArray();
    }

    private static Object read(Method accessor, Object record) {
        try {
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read " + accessor, e);
        }
    }

    /** Long keys are shortened in paths: the path is for finding the field, not for quoting it. */
    static String child(String path, String key) {
        String segment = key.codePointCount(0, key.length()) > MAX_SEGMENT
                ? key.substring(0, key.offsetByCodePoints(0, MAX_SEGMENT)) + "..." : key;
        return path.isEmpty() ? segment : path + "." + segment;
    }
}
