// Reads "A<TAB>B" lines on stdin and prints <, = or > per line as golang.org/x/mod/semver
// orders them, or "invalid" when either is not a valid Go module version. A version without
// its "v" is read with one (the Go vulnerability database writes versions that way).
// Built by tests/differential/diff_go_cargo.py in GOPATH mode against Debian's
// golang-golang-x-mod-dev.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func withV(s string) string {
	if strings.HasPrefix(s, "v") {
		return s
	}
	return "v" + s
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		parts := strings.SplitN(in.Text(), "\t", 2)
		a, b := withV(parts[0]), withV(parts[1])
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "invalid")
			continue
		}
		switch semver.Compare(a, b) {
		case -1:
			fmt.Fprintln(out, "<")
		case 1:
			fmt.Fprintln(out, ">")
		default:
			fmt.Fprintln(out, "=")
		}
	}
}
