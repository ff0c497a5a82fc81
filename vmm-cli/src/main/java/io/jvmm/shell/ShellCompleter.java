package io.jvmm.shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion read from the picocli model of the shell's commands, so a command's
 * completion sits next to its declaration: command names (with their headers), the options
 * of the command being typed, and for an argument what its type says: a {@link Path} completes
 * file names, a {@code DEVICE} the running VM's device ids, {@code help}'s {@code COMMAND}
 * the command names, a {@code DEVICE-COMMAND} the commands the device named before it offers.
 * Only the command after the last ';' is completed.
 */
final class ShellCompleter implements Completer {
    private final CommandLine commands;
    private final Supplier<List<String>> deviceIds;
    private final Function<String, List<String>> deviceCommands;
    private final Path cwd;

    ShellCompleter(CommandLine commands, Supplier<List<String>> deviceIds, Path cwd) {
        this(commands, deviceIds, id -> List.of(), cwd);
    }

    ShellCompleter(CommandLine commands, Supplier<List<String>> deviceIds, Function<String, List<String>> deviceCommands,
                   Path cwd) {
        this.commands = commands;
        this.deviceIds = deviceIds;
        this.deviceCommands = deviceCommands;
        this.cwd = cwd;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        int first = 0;
        for (int i = 0; i < index; i++) {
            if (words.get(i).equals(";") || words.get(i).endsWith(";")) {
                first = i + 1;
            }
        }
        words = words.subList(first, words.size());
        index -= first;
        String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        if (index == 0) {
            commandNames(candidates);
            return;
        }
        CommandLine sub = commands.getSubcommands().get(words.get(0));
        if (sub == null) {
            return;
        }
        CommandSpec spec = sub.getCommandSpec();
        OptionSpec previous = spec.findOption(words.get(index - 1));
        if (previous != null && previous.arity().max() > 0 && !previous.typeInfo().isBoolean()) {
            values(previous, word, candidates);
            return;
        }
        if (word.startsWith("-")) {
            for (OptionSpec o : spec.options()) {
                for (String name : o.names()) {
                    candidates.add(new Candidate(name, name, "options", first(o.description()), null, null,
                            o.arity().max() == 0));
                }
            }
            return;
        }
        int position = 0;
        for (int i = 1; i < index; i++) {
            OptionSpec o = spec.findOption(words.get(i));
            if (o != null) {
                if (o.arity().max() > 0 && !o.typeInfo().isBoolean()) {
                    i++;
                }
            } else if (!words.get(i).startsWith("-")) {
                position++;
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(position)) {
                if ("DEVICE-COMMAND".equals(p.paramLabel())) {
                    deviceCommands.apply(words.get(index - 1)).forEach(c ->
                            candidates.add(new Candidate(c, c, "device commands", null, null, null, true)));
                } else {
                    values(p, word, candidates);
                }
            }
        }
    }

    private void commandNames(List<Candidate> candidates) {
        commands.getSubcommands().forEach((name, cl) -> {
            String[] header = cl.getCommandSpec().usageMessage().header();
            candidates.add(new Candidate(name, name, "commands", header.length > 0 ? header[0] : null, null, null, true));
        });
    }

    private void values(ArgSpec arg, String word, List<Candidate> candidates) {
        Class<?> type = arg.type();
        if (type == Path.class || type == File.class) {
            paths(word, candidates);
        } else if ("DEVICE".equals(arg.paramLabel())) {
            deviceIds.get().forEach(id -> candidates.add(new Candidate(id, id, "devices", null, null, null, true)));
        } else if ("NAME".equals(arg.paramLabel())) {
            io.jvmm.api.ApiSockets.names().forEach(n -> candidates.add(new Candidate(n, n, "running VMs", null, null, null, true)));
        } else if ("COMMAND".equals(arg.paramLabel())) {
            commandNames(candidates);
        } else if (arg.completionCandidates() != null) {
            arg.completionCandidates().forEach(v -> candidates.add(new Candidate(v)));
        }
    }

    /** File names under the directory part of {@code word}; directories end with '/' and stay open. */
    void paths(String word, List<Candidate> candidates) {
        String expanded = word.startsWith("~/") ? System.getProperty("user.home") + word.substring(1) : word;
        int slash = expanded.lastIndexOf('/');
        String dirPart = slash >= 0 ? expanded.substring(0, slash + 1) : "";
        String prefix = expanded.substring(slash + 1);
        Path dir = dirPart.isEmpty() ? cwd : cwd.resolve(dirPart);
        String shownDir = slash >= 0 ? word.substring(0, word.lastIndexOf('/') + 1) : "";
        try (Stream<Path> entries = Files.list(dir)) {
            entries.forEach(p -> {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || name.startsWith(".") && !prefix.startsWith(".")) {
                    return;
                }
                boolean directory = Files.isDirectory(p);
                String value = shownDir + name + (directory ? "/" : "");
                candidates.add(new Candidate(value, name + (directory ? "/" : ""), null, null, null, null, !directory));
            });
        } catch (IOException e) {
            // no such directory: nothing to offer
        }
    }

    private static String first(String[] lines) {
        return lines.length > 0 ? lines[0] : null;
    }
}
