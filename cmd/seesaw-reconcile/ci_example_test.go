package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// asCommandEnv makes the test binary act as seesaw-reconcile, so scripts
// under test can run the command this package builds.
const asCommandEnv = "SEESAW_RECONCILE_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	vrrp.RunSenderIfChild()
	if os.Getenv(asCommandEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// requireExamples skips when the repository's examples are not beside the
// test binary (the VM runs it without the source tree); the host runs
// (make unit) cover these tests.
func requireExamples(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("../../examples/ci/seesaw-review.sh"); errors.Is(err, fs.ErrNotExist) {
		t.Skip("examples/ci is not here: the test binary runs outside the source tree")
	}
}

// commandOnPath puts a seesaw-reconcile on a new PATH entry that runs this
// test binary as the command, and returns the PATH to use.
func commandOnPath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\n" + asCommandEnv + "=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "seesaw-reconcile"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin + string(os.PathListSeparator) + os.Getenv("PATH")
}

// copyTree copies the regular files and symlinks under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCIReviewScript runs examples/ci/seesaw-review.sh in a configuration
// repository made of examples/dr-web (lb2 shares lb1's web.yaml through a
// symlink): an edit shows in both nodes' diffs, a broken file fails the
// review with its position.
func TestCIReviewScript(t *testing.T) {
	requireExamples(t)
	if runtime.GOOS == "windows" {
		t.Skip("the review script is a bash script; on Windows runners use Git Bash or WSL")
	}
	for _, tool := range []string{"bash", "git", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	repo := t.TempDir()
	copyTree(t, "../../examples/dr-web", repo)
	copyTree(t, "../../examples/ci", filepath.Join(repo, "ci"))
	path := commandOnPath(t)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	review := func() (int, string) {
		cmd := exec.Command("bash", "ci/seesaw-review.sh", "HEAD")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "PATH="+path, "GITHUB_STEP_SUMMARY=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}

	web := filepath.Join(repo, "lb1", "web.yaml")
	b, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "{address: 198.51.100.22, weight: 10}", "{address: 198.51.100.22, weight: 20}", 1)
	if err := os.WriteFile(web, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := review()
	change := "~ destination 198.51.100.22:80 in tcp/192.0.2.10:80 weight 10 -> 20\n"
	if code != 0 || strings.Count(out, change) != 2 || !strings.Contains(out, "## lb1\n") || !strings.Contains(out, "## lb2\n") ||
		!strings.Contains(out, "# diff HEAD:lb1 -> lb1: planned as master") || strings.Contains(out, os.TempDir()+"/") {
		t.Fatalf("review of a weight edit: exit %d\n%s", code, out)
	}

	if err := os.WriteFile(web, []byte(strings.Replace(edited, "port: 443}", "port: 70000}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := review(); code != 1 || !strings.Contains(out, "web.yaml:8:") {
		t.Fatalf("review of an invalid file: exit %d\n%s", code, out)
	}
}

// TestCIWorkflowRunsTheReview: the example workflow installs this command
// and runs the review script on pull requests.
func TestCIWorkflowRunsTheReview(t *testing.T) {
	requireExamples(t)
	b, err := os.ReadFile("../../examples/ci/github-workflow.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			runs = append(runs, s.Run)
		}
	}
	all := strings.Join(runs, "\n")
	if _, ok := wf.On["pull_request"]; !ok || !strings.Contains(all, "go install \"github.com/seesaw-lb/seesaw/cmd/seesaw-reconcile@") ||
		!strings.Contains(all, "bash ci/seesaw-review.sh \"origin/${{ github.base_ref }}\"") {
		t.Fatalf("workflow: on %v, runs:\n%s", wf.On, all)
	}
}
