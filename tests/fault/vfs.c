/*
 * A SQLite VFS for tests only (tests/run-fault.sh): it wraps the default VFS and makes the
 * Nth write, sync or truncate fail, and every one after it, as a full or failing disk would.
 *
 *   ATTEND_FAIL_WRITE=N    the Nth write, sync or truncate, and each later one, fails
 *
 * Registered as the default VFS before main runs (fault.c), so attend opens every register
 * through it without knowing.
 */
#include "fault.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real; /* the default VFS's file, just after this struct */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_io;
static unsigned long writes, fail_from;

#define REAL(f) (((struct fault_file *)(f))->real)

unsigned long
fault_writes(void)
{
	return writes;
}

/* 1 when this write operation is to fail. */
static int
write_fails(void)
{
	writes++;
	return fail_from && writes >= fail_from;
}

static int
f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	return rc;
}

static int
f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (write_fails())
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (write_fails())
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (write_fails())
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_reserved(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int f_control(sqlite3_file *f, int op, void *arg) { return REAL(f)->pMethods->xFileControl(REAL(f), op, arg); }
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }

static int
f_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags); }
static void f_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }

/* Memory-mapped reads would let SQLite write pages without calling xWrite: refuse them. */
static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	(void)f, (void)off, (void)n;
	*out = NULL;
	return SQLITE_OK;
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { (void)f, (void)off, (void)p; return SQLITE_OK; }

static int
f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct fault_file *ff = (struct fault_file *)file;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	ff->base.pMethods = ff->real->pMethods ? &fault_io : NULL;
	return rc;
}

static void
fault_io_init(void)
{
	fault_io = (sqlite3_io_methods){
		.iVersion = 3, .xClose = f_close, .xRead = f_read, .xWrite = f_write,
		.xTruncate = f_truncate, .xSync = f_sync, .xFileSize = f_size, .xLock = f_lock,
		.xUnlock = f_unlock, .xCheckReservedLock = f_reserved, .xFileControl = f_control,
		.xSectorSize = f_sector, .xDeviceCharacteristics = f_device, .xShmMap = f_shm_map,
		.xShmLock = f_shm_lock, .xShmBarrier = f_shm_barrier, .xShmUnmap = f_shm_unmap,
		.xFetch = f_fetch, .xUnfetch = f_unfetch,
	};
}

int
fault_vfs_init(void)
{
	const char *n = getenv("ATTEND_FAIL_WRITE");
	fail_from = n ? strtoul(n, NULL, 10) : 0;
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		return -1;
	fault_vfs = *real_vfs;
	fault_vfs.zName = "attend-fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.xOpen = f_open;
	fault_io_init();
	return sqlite3_vfs_register(&fault_vfs, 1) == SQLITE_OK ? 0 : -1;
}
