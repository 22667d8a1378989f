package mdrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const page = "# Title\n" +
	"\n" +
	"```sh\n" +
	"echo one > f.txt\n" +
	"```\n" +
	"\n" +
	"```sh norun\n" +
	"crontab -e\n" +
	"```\n" +
	"\n" +
	"```sh norun=append\n" +
	"vi f.txt\n" +
	"```\n" +
	"\n" +
	"```sql\n" +
	"SELECT 1;\n" +
	"```\n" +
	"\n" +
	"- a list item\n" +
	"\n" +
	"  ~~~~bash\n" +
	"  cat f.txt\n" +
	"  # ```\n" +
	"  echo two >> f.txt\n" +
	"  ~~~~\n"

func TestBlocks(t *testing.T) {
	bs := Blocks(page)
	if len(bs) != 5 {
		t.Fatalf("Blocks: %d blocks, want 5: %+v", len(bs), bs)
	}
	if bs[2].Runnable() || bs[2].Equivalent() != "append" {
		t.Errorf("norun=append block: runnable %v, equivalent %q", bs[2].Runnable(), bs[2].Equivalent())
	}
	bs = slices.Delete(bs, 2, 3)
	want := []struct {
		line     int
		lang     string
		runnable bool
		text     string
	}{
		{3, "sh", true, "echo one > f.txt\n"},
		{7, "sh", false, "crontab -e\n"},
		{15, "sql", false, "SELECT 1;\n"},
		{21, "bash", true, "cat f.txt\n# ```\necho two >> f.txt\n"},
	}
	for i, w := range want {
		b := bs[i]
		if b.Line != w.line || b.Lang != w.lang || b.Runnable() != w.runnable || b.Text != w.text {
			t.Errorf("block %d = line %d lang %q runnable %v text %q; want %d %q %v %q", i, b.Line, b.Lang, b.Runnable(), b.Text, w.line, w.lang, w.runnable, w.text)
		}
	}
	if !slices.Equal(bs[1].Flags, []string{"norun"}) {
		t.Errorf("flags of the norun block = %q", bs[1].Flags)
	}
}

func TestRunAll(t *testing.T) {
	dir := t.TempDir()
	var ran []int
	appendMid := func() error {
		f, err := os.OpenFile(filepath.Join(dir, "f.txt"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.WriteString("mid\n")
		return err
	}
	err := RunAll(context.Background(), page, dir, os.Environ(), map[string]func() error{"append": appendMid},
		func(b Block, out string) { ran = append(ran, b.Line) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ran, []int{3, 21}) {
		t.Errorf("ran blocks at lines %v, want [3 21]", ran)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "f.txt"))
	if string(got) != "one\nmid\ntwo\n" {
		t.Errorf("f.txt = %q, want the blocks' lines and the equivalent's in page order", got)
	}
	if err := RunAll(context.Background(), page, t.TempDir(), os.Environ(), nil, nil); err == nil || !strings.Contains(err.Error(), `"append"`) {
		t.Errorf("RunAll without the equivalent = %v, want an error naming it", err)
	}
}

// TestRunAllStops shows a failing block named by its line with its output, a failure
// inside a pipeline included (pipefail), and the blocks after it not run.
func TestRunAllStops(t *testing.T) {
	dir := t.TempDir()
	md := "```sh\necho before\nfalse | cat\necho after\n```\n\n```sh\ntouch later\n```\n"
	err := RunAll(context.Background(), md, dir, os.Environ(), nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("RunAll = %v, want an *Error", err)
	}
	if e.Block.Line != 1 || !strings.Contains(e.Output, "before") || strings.Contains(e.Output, "after") {
		t.Errorf("error = %v; want block at line 1 with output 'before' only", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "later")); err == nil {
		t.Error("a block after the failing one ran")
	}
}
