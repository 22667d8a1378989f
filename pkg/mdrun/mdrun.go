// Package mdrun runs the shell blocks of a Markdown page, in order, so that a test can
// hold a documented procedure (docs/runbook.md, the README's commands) to what the
// programs really do: a page whose commands rot fails its test.
//
// A block runs when its fence's info string starts with sh, bash or shell and does not
// say norun (```sh norun): such a block shows a command that must not run in a test
// (crontab -e, editing a file by hand, a placeholder password); the page says beside it
// which block or test runs its non-interactive equivalent. A norun block may name that
// equivalent (```sh norun=accounts): a test looks the name up with Equivalent and runs
// its own code at that point of the page.
package mdrun

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// Block is one fenced code block of a Markdown text.
type Block struct {
	Line  int      // line of the opening fence, from 1
	Lang  string   // the first word of the info string ("sh")
	Flags []string // the other words ("norun")
	Text  string   // the content, indentation of the fence removed
}

// Runnable reports whether b is a shell block meant to run.
func (b Block) Runnable() bool {
	switch b.Lang {
	case "sh", "bash", "shell":
		return !slices.Contains(b.Flags, "norun") && b.Equivalent() == ""
	}
	return false
}

// Equivalent returns the name a norun block gives its non-interactive equivalent
// (norun=NAME), or "".
func (b Block) Equivalent() string {
	for _, f := range b.Flags {
		if name, ok := strings.CutPrefix(f, "norun="); ok {
			return name
		}
	}
	return ""
}

// Blocks returns the fenced code blocks of md (``` or ~~~ fences, CommonMark style: a
// block closes at a fence of the same character at least as long; an unclosed block
// runs to the end of the text), in order.
func Blocks(md string) []Block {
	var out []Block
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		indent, fence, info, ok := openFence(lines[i])
		if !ok {
			continue
		}
		words := strings.Fields(info)
		b := Block{Line: i + 1}
		if len(words) > 0 {
			b.Lang, b.Flags = words[0], words[1:]
		}
		var body []string
		for i++; i < len(lines); i++ {
			if closes(lines[i], fence) {
				break
			}
			body = append(body, trimIndent(lines[i], indent))
		}
		b.Text = strings.Join(body, "\n")
		if len(body) > 0 {
			b.Text += "\n"
		}
		out = append(out, b)
	}
	return out
}

// openFence reads an opening fence: up to three spaces, then three or more ` or ~.
func openFence(line string) (indent int, fence, info string, ok bool) {
	t := strings.TrimLeft(line, " ")
	indent = len(line) - len(t)
	if indent > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, "", "", false
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 || (t[0] == '`' && strings.Contains(t[n:], "`")) {
		return 0, "", "", false
	}
	return indent, t[:n], strings.TrimSpace(t[n:]), true
}

func closes(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, fence) {
		return false
	}
	return strings.Trim(t, string(fence[0])+" \t") == ""
}

func trimIndent(line string, n int) string {
	for n > 0 && strings.HasPrefix(line, " ") {
		line, n = line[1:], n-1
	}
	return line
}

// Error is a block that failed: where it is, its exit status and what it printed.
type Error struct {
	Block  Block
	Err    error
	Output string
}

func (e *Error) Error() string {
	return fmt.Sprintf("shell block at line %d: %v\n--- block:\n%s--- output:\n%s", e.Block.Line, e.Err, e.Block.Text, e.Output)
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs b's text with bash -euo pipefail in dir, with env as its whole environment,
// and returns what it printed (stdout and stderr interleaved). A block that exits
// non-zero gives an *Error.
func Run(ctx context.Context, b Block, dir string, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", b.Text)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), &Error{Block: b, Err: err, Output: out.String()}
	}
	return out.String(), nil
}

// RunAll runs the runnable blocks of md in order, each in a shell of its own (so a
// block stands on its own: variables do not carry over), and stops at the first that
// fails. A norun=NAME block calls equivalents[NAME] at its place instead; a name without
// an entry is an error, so a page cannot promise an equivalent no test runs. done, when
// not nil, is called after each block that ran.
func RunAll(ctx context.Context, md, dir string, env []string, equivalents map[string]func() error, done func(b Block, output string)) error {
	for _, b := range Blocks(md) {
		if name := b.Equivalent(); name != "" {
			f := equivalents[name]
			if f == nil {
				return fmt.Errorf("shell block at line %d: no equivalent %q to run in its place", b.Line, name)
			}
			if err := f(); err != nil {
				return fmt.Errorf("shell block at line %d: equivalent %q: %w", b.Line, name, err)
			}
			continue
		}
		if !b.Runnable() {
			continue
		}
		out, err := Run(ctx, b, dir, env)
		if err != nil {
			return err
		}
		if done != nil {
			done(b, out)
		}
	}
	return nil
}
