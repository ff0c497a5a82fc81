package io.jvmm.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jvmm completion bash}: a completion script made from the command model itself. */
@Command(name = "completion", mixinStandardHelpOptions = true, header = "Print a bash (or zsh) completion script.",
        description = {"Completes commands, options, files and the names of running VMs (found when Tab is pressed).",
            "",
            "  source <(jvmm completion bash)",
            "  jvmm completion bash > ~/.local/share/bash-completion/completions/jvmm",
            "",
            "zsh: autoload -U +X bashcompinit && bashcompinit, then source the bash script."})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh (zsh uses the bash script through bashcompinit).")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new UsageException("completion: only bash and zsh (through bashcompinit), not '" + shell + "'");
        }
        String script = AutoComplete.bash("jvmm", spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
