package dev.verity.command.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds a cycle in a session's dependency graph (key to the keys it depends on), depth first. */
final class DependencyCycles {

    private enum Mark { VISITING, DONE }

    private DependencyCycles() {
    }

    /** @return one cycle as a path that starts and ends with the same key, or empty when there is none */
    static List<String> find(Map<String, List<String>> graph) {
        Map<String, Mark> marks = new HashMap<>();
        for (String key : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(key, graph, marks, path)) {
                return path;
            }
        }
        return List.of();
    }

    /** Iterative, so a long chain of dependencies cannot overflow the stack. */
    private static boolean visit(String start, Map<String, List<String>> graph, Map<String, Mark> marks,
                                 List<String> cycle) {
        if (marks.containsKey(start)) {
            return false;
        }
        List<String> path = new ArrayList<>();
        List<Integer> next = new ArrayList<>();
        path.add(start);
        next.add(0);
        marks.put(start, Mark.VISITING);
        while (!path.isEmpty()) {
            int top = path.size() - 1;
            String key = path.get(top);
            List<String> dependencies = graph.getOrDefault(key, List.of());
            int index = next.get(top);
            if (index == dependencies.size()) {
                marks.put(key, Mark.DONE);
                path.remove(top);
                next.remove(top);
                continue;
            }
            next.set(top, index + 1);
            String dependency = dependencies.get(index);
            Mark mark = marks.get(dependency);
            if (mark == Mark.VISITING) {
                cycle.addAll(path.subList(path.indexOf(dependency), path.size()));
                cycle.add(dependency);
                return true;
            }
            if (mark == null) {
                marks.put(dependency, Mark.VISITING);
                path.add(dependency);
                next.add(0);
            }
        }
        return false;
    }
}
