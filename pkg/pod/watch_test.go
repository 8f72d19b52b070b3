package pod

import "testing"

func TestWatchColumns(t *testing.T) {
	c := columns{}
	c.fit("NAME\tREADY\tSTATUS")
	if got := c.format("NAME\tREADY\tSTATUS"); got != "NAME   READY   STATUS" {
		t.Errorf("format = %q", got)
	}
	// A longer value never panics and still leaves a gap.
	if got := c.format("a-much-longer-name\t1/1\tRunning"); got != "a-much-longer-name   1/1     Running" {
		t.Errorf("format = %q", got)
	}
	if rowKey("p\t1/1\tRunning\t0\t5s") != rowKey("p\t1/1\tRunning\t0\t9m") {
		t.Error("AGE alone must not make a new watch row")
	}
	if rowKey("p\t1/1\tRunning\t0\t5s") == rowKey("p\t0/1\tError\t0\t5s") {
		t.Error("a status change must make a new watch row")
	}
}
