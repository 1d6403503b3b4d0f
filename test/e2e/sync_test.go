package e2e

import (
	"bytes"
	"os"
	"sync"
)

type syncMutex = sync.Mutex

// syncWriter guards a buffer shared between the process's writer and readers.
type syncWriter struct{ buf *bytes.Buffer }

func (w *syncWriter) Write(p []byte) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	return w.buf.Write(p)
}

func mkdir(p string) error { return os.MkdirAll(p, 0o755) }
