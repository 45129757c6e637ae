/* quizapp.store.native_replay: quizapp.store.srs.replay_log's loop in C (an optional speed-up).

   The same FSRS formulas as srs.FastStep, in the same operation order, on IEEE doubles with the
   C library's pow (the one Python's ``**`` calls), built with -ffp-contract=off (no fused
   multiply-add): every float agrees with the Python replay bit for bit, so a machine with this
   module and one without compute the same card states (tests/unit/test_native_replay.py
   compares them). Anything it does not reproduce exactly (a time not in the stored form, a
   rating not 1-4, a power that overflows, a date past 9999) makes it return None, and the
   caller replays in Python, which says what is wrong. Times are microseconds since 1970 (UTC).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define LEARNING 1
#define REVIEW 2
#define RELEARNING 3
#define STABILITY_MIN 0.001
#define MIN_D 1.0
#define MAX_D 10.0
#define DAY_US 86400000000LL
#define MAX_STEPS 64

typedef struct {
    double w[21];
    double factor, decay, interval_term, easy_d, forget_short, e8;
    double short_k[5], delta[5], hard_easy[5];
    int first_state[5], first_step[5];
    double first_s[5], first_d[5];
    int64_t first_us[5];
    /* (re)learning: per step row (0..n, a step past n reads row n) and rating 1-4: the next
       step (-1: the card graduates to Review) and the interval in microseconds */
    int n_learning, n_relearning;
    int learn_step[MAX_STEPS + 1][5], relearn_step[MAX_STEPS + 1][5];
    int64_t learn_us[MAX_STEPS + 1][5], relearn_us[MAX_STEPS + 1][5];
    int64_t relearning_first_us; /* -1: no relearning steps */
    int64_t max_interval;
} Params;

/* ---------------------------------------------------------------- the calendar (proleptic
   Gregorian, as Python's datetime): H. Hinnant's days_from_civil and civil_from_days */

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m) {
    static const int dm[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m];
}

/* A stored time (2026-11-18T13:41:25.920584+00:00, exactly) to microseconds; 0 if not that. */
static int parse_time(PyObject *text, int64_t *out) {
    Py_ssize_t n;
    if (!PyUnicode_Check(text)) return 0;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    if (s == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (n != 32 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s[19] != '.' || memcmp(s + 26, "+00:00", 6) != 0)
        return 0;
    int y, mo, d, h, mi, se, us;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se) ||
        !digits(s + 20, 6, &us))
        return 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return 0;
    *out = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000000LL + se * 1000000LL + us;
    return 1;
}

/* The parts of a time; 0 when its year is outside 1-9999 (Python's datetime would overflow). */
static int split_time(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *se, int *us) {
    int64_t days = floor_div(t, DAY_US);
    int64_t rest = t - days * DAY_US;
    civil_from_days(days, y, mo, d);
    if (*y < 1 || *y > 9999) return 0;
    *us = (int)(rest % 1000000);
    rest /= 1000000;
    *se = (int)(rest % 60);
    rest /= 60;
    *mi = (int)(rest % 60);
    *h = (int)(rest / 60);
    return 1;
}

static void put(char *p, int v, int n) {
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* A time as the store writes it (values.time_text); NULL with no error set: out of range. */
static PyObject *time_text(int64_t t) {
    int y, mo, d, h, mi, se, us;
    if (!split_time(t, &y, &mo, &d, &h, &mi, &se, &us)) return NULL;
    char b[32];
    put(b, y, 4);
    b[4] = '-';
    put(b + 5, mo, 2);
    b[7] = '-';
    put(b + 8, d, 2);
    b[10] = 'T';
    put(b + 11, h, 2);
    b[13] = ':';
    put(b + 14, mi, 2);
    b[16] = ':';
    put(b + 17, se, 2);
    b[19] = '.';
    put(b + 20, us, 6);
    memcpy(b + 26, "+00:00", 6);
    return PyUnicode_FromStringAndSize(b, 32);
}

static PyObject *datetime_of(int64_t t) {
    int y, mo, d, h, mi, se, us;
    if (!split_time(t, &y, &mo, &d, &h, &mi, &se, &us)) return NULL;
    return PyDateTimeAPI->DateTime_FromDateAndTime(y, mo, d, h, mi, se, us,
                                                   PyDateTime_TimeZone_UTC,
                                                   PyDateTimeAPI->DateTimeType);
}

/* ---------------------------------------------------------------- one review (srs.FastStep) */

typedef struct {
    int state, step; /* step -1: None */
    double s, d;
    int64_t due, last;
} Card;

/* Python's max(a, b) and min(a, b) for floats: the first unless the second is strictly
   greater (smaller). */
static inline double py_max(double a, double b) { return b > a ? b : a; }
static inline double py_min(double a, double b) { return b < a ? b : a; }

/* pow as Python's float ** computes it for these arguments; 0 when Python would raise or
   give a value this module does not reproduce (a non-finite result, a base not positive). */
static inline int py_pow(double x, double y, double *out) {
    if (!(x > 0.0) || !isfinite(x) || !isfinite(y)) return 0;
    double r = pow(x, y);
    if (!isfinite(r)) return 0;
    *out = r;
    return 1;
}

static int interval_us(const Params *p, double s, int64_t *out) {
    double x = (s / p->factor) * p->interval_term;
    if (!isfinite(x)) return 0;
    double days = nearbyint(x); /* round half to even, as Python's round() */
    if (days < 1.0) days = 1.0;
    if (days > (double)p->max_interval) days = (double)p->max_interval;
    *out = (int64_t)days * DAY_US;
    return 1;
}

/* srs.FastStep.__call__ for a card with fields (not new); 0: leave it to Python. */
static int step_card(const Params *p, Card *c, int r, int64_t at) {
    const double *w = p->w;
    int64_t elapsed = floor_div(at - c->last, DAY_US);
    double s = c->s, d = c->d, t1, t2, t3;
    if (elapsed < 1) { /* _short */
        if (!py_pow(s, -w[19], &t1)) return 0;
        double inc = p->short_k[r] * t1;
        if (r != 1) inc = py_max(inc, 1.0);
        s = py_max(s * inc, STABILITY_MIN);
    } else { /* _long */
        double base = 1 + p->factor * (double)(elapsed > 0 ? elapsed : 0) / s;
        double ret, nxt;
        if (!py_pow(base, p->decay, &ret)) return 0;
        if (r == 1) {
            if (!py_pow(d, -w[12], &t1) || !py_pow(s + 1, w[13], &t2) ||
                !py_pow(M_E, (1 - ret) * w[14], &t3))
                return 0;
            nxt = py_min(w[11] * t1 * (t2 - 1) * t3, s / p->forget_short);
        } else {
            if (!py_pow(s, -w[9], &t1) || !py_pow(M_E, (1 - ret) * w[10], &t2)) return 0;
            nxt = s * (1 + p->e8 * (11 - d) * t1 * (t2 - 1) * p->hard_easy[r]);
        }
        s = py_max(nxt, STABILITY_MIN);
    }
    double arg_2 = d + (10.0 - d) * p->delta[r] / 9.0;
    double d2 = w[7] * p->easy_d + (1 - w[7]) * arg_2;
    d = py_min(py_max(d2, MIN_D), MAX_D);
    if (!isfinite(s) || !isfinite(d)) return 0;
    int64_t interval;
    if (c->state == REVIEW) {
        if (r == 1 && p->relearning_first_us >= 0) {
            c->state = RELEARNING;
            c->step = 0;
            interval = p->relearning_first_us;
        } else {
            if (!interval_us(p, s, &interval)) return 0;
        }
    } else {
        int learning = c->state == LEARNING;
        int n = learning ? p->n_learning : p->n_relearning;
        if (c->step < 0) return 0;
        int row = c->step > n ? n : c->step;
        int next = learning ? p->learn_step[row][r] : p->relearn_step[row][r];
        if (next < 0) {
            c->state = REVIEW;
            c->step = -1;
            if (!interval_us(p, s, &interval)) return 0;
        } else {
            c->step = next;
            interval = learning ? p->learn_us[row][r] : p->relearn_us[row][r];
        }
    }
    c->s = s;
    c->d = d;
    c->due = at + interval;
    c->last = at;
    return 1;
}

/* ---------------------------------------------------------------- the parameters */

static int get_double(PyObject *seq, Py_ssize_t i, double *out) {
    PyObject *v = PySequence_GetItem(seq, i);
    if (v == NULL) return 0;
    *out = PyFloat_AsDouble(v);
    Py_DECREF(v);
    return !(*out == -1.0 && PyErr_Occurred());
}

static int get_i64(PyObject *seq, Py_ssize_t i, int64_t *out) {
    PyObject *v = PySequence_GetItem(seq, i);
    if (v == NULL) return 0;
    *out = PyLong_AsLongLong(v);
    Py_DECREF(v);
    return !(*out == -1 && PyErr_Occurred());
}

/* A (re)learning table: a tuple of n + 1 rows of 4 entries, None (Review) or (step, us). */
static int read_table(PyObject *table, int *n, int steps[][5], int64_t us[][5]) {
    Py_ssize_t rows = PySequence_Size(table);
    if (rows < 1 || rows > MAX_STEPS + 1) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad steps table");
        return 0;
    }
    *n = (int)rows - 1;
    for (Py_ssize_t i = 0; i < rows; i++) {
        PyObject *row = PySequence_GetItem(table, i);
        if (row == NULL) return 0;
        for (int r = 1; r <= 4; r++) {
            PyObject *e = PySequence_GetItem(row, r - 1);
            if (e == NULL) {
                Py_DECREF(row);
                return 0;
            }
            int64_t st = -1, u = 0;
            int ok = e == Py_None || (get_i64(e, 0, &st) && get_i64(e, 1, &u));
            Py_DECREF(e);
            if (!ok) {
                Py_DECREF(row);
                return 0;
            }
            steps[i][r] = (int)st;
            us[i][r] = u;
        }
        Py_DECREF(row);
    }
    return 1;
}

static int read_params(PyObject *t, Params *p) {
    PyObject *w = NULL, *first = NULL, *v = NULL;
    int ok = 0;
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 15) {
        PyErr_SetString(PyExc_ValueError, "bad replay parameters");
        return 0;
    }
    w = PyTuple_GET_ITEM(t, 0);
    if (PySequence_Size(w) < 21) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "too few FSRS parameters");
        return 0;
    }
    for (int i = 0; i < 21; i++)
        if (!get_double(w, i, &p->w[i])) return 0;
    double *scalars[6] = {&p->factor, &p->decay, &p->interval_term,
                          &p->easy_d, &p->forget_short, &p->e8};
    for (int i = 0; i < 6; i++)
        if (!get_double(t, i + 1, scalars[i])) return 0;
    for (int r = 0; r < 5; r++) {
        if (!get_double(PyTuple_GET_ITEM(t, 7), r, &p->short_k[r]) ||
            !get_double(PyTuple_GET_ITEM(t, 8), r, &p->delta[r]) ||
            !get_double(PyTuple_GET_ITEM(t, 9), r, &p->hard_easy[r]))
            return 0;
    }
    first = PyTuple_GET_ITEM(t, 10);
    for (int r = 1; r <= 4; r++) {
        v = PySequence_GetItem(first, r);
        if (v == NULL) return 0;
        int64_t state, step, us;
        PyObject *st = PySequence_GetItem(v, 1);
        if (st == NULL) goto done;
        step = -1;
        int step_ok = st == Py_None || ((step = PyLong_AsLongLong(st)) != -1 || !PyErr_Occurred());
        Py_DECREF(st);
        if (!step_ok || !get_i64(v, 0, &state) || !get_double(v, 2, &p->first_s[r]) ||
            !get_double(v, 3, &p->first_d[r]) || !get_i64(v, 4, &us))
            goto done;
        p->first_state[r] = (int)state;
        p->first_step[r] = (int)step;
        p->first_us[r] = us;
        Py_CLEAR(v);
    }
    if (!read_table(PyTuple_GET_ITEM(t, 11), &p->n_learning, p->learn_step, p->learn_us) ||
        !read_table(PyTuple_GET_ITEM(t, 12), &p->n_relearning, p->relearn_step, p->relearn_us) ||
        !get_i64(t, 13, &p->relearning_first_us) || !get_i64(t, 14, &p->max_interval))
        goto done;
    ok = 1;
done:
    Py_XDECREF(v);
    return ok;
}

/* ---------------------------------------------------------------- the replay */

static PyObject *fields_tuple(const Card *c) {
    PyObject *due = datetime_of(c->due), *last = datetime_of(c->last);
    if (due == NULL || last == NULL) {
        Py_XDECREF(due);
        Py_XDECREF(last);
        return NULL;
    }
    PyObject *step = c->step < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(c->step);
    return Py_BuildValue("(iNddNN)", c->state, step, c->s, c->d, due, last);
}

/* The cards row of a replay (ops's card_row): item, state, step, stability, difficulty, due,
   last review, reps, lapses, first review, the times as the store writes them. */
static PyObject *card_row(PyObject *item, const Card *c, long reps, long lapses, int64_t first) {
    PyObject *due = time_text(c->due), *last = time_text(c->last), *first_t = time_text(first);
    if (due == NULL || last == NULL || first_t == NULL) {
        Py_XDECREF(due);
        Py_XDECREF(last);
        Py_XDECREF(first_t);
        return NULL;
    }
    PyObject *step = c->step < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(c->step);
    return Py_BuildValue("(OiNddNNllN)", item, c->state, step, c->s, c->d, due, last, reps,
                         lapses, first_t);
}

/* Append (item, (fields, reps, lapses, first)), or its cards row when as_rows, to replays; 0 on
   an error or an overflow. */
static int add_replay(PyObject *replays, PyObject *item, const Card *c, long reps, long lapses,
                      int64_t first, int as_rows) {
    if (as_rows) {
        PyObject *row = card_row(item, c, reps, lapses, first);
        if (row == NULL) return 0;
        int bad = PyList_Append(replays, row);
        Py_DECREF(row);
        return !bad;
    }
    PyObject *fields = fields_tuple(c);
    if (fields == NULL) return 0;
    PyObject *first_dt = datetime_of(first);
    if (first_dt == NULL) {
        Py_DECREF(fields);
        return 0;
    }
    PyObject *entry = Py_BuildValue("(O(NllN))", item, fields, reps, lapses, first_dt);
    if (entry == NULL) return 0;
    int bad = PyList_Append(replays, entry);
    Py_DECREF(entry);
    return !bad;
}

/* 1: differs, 0: equal, -1: error */
static int differs(PyObject *before, PyObject *old_before, PyObject *due, PyObject *old_due) {
    int ne = PyObject_RichCompareBool(before, old_before, Py_NE);
    if (ne != 0) return ne;
    return PyObject_RichCompareBool(due, old_due, Py_NE);
}

static PyObject *replay(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *rows, *resets, *params_obj, *fresh;
    int as_rows = 0;
    if (!PyArg_ParseTuple(args, "O!O!OO|p", &PyList_Type, &rows, &PyDict_Type, &resets,
                          &params_obj, &fresh, &as_rows))
        return NULL;
    int want_fresh = fresh != Py_None;
    if (want_fresh && !PyDict_Check(fresh)) {
        PyErr_SetString(PyExc_TypeError, "fresh: a dict or None");
        return NULL;
    }
    Params p;
    if (!read_params(params_obj, &p)) return NULL;
    PyObject *replays = PyList_New(0), *updates = PyList_New(0);
    PyObject *empty = PyUnicode_FromStringAndSize("", 0);
    PyObject *item = NULL; /* borrowed from rows (the list holds it) */
    Card c = {0};
    int has = 0, ok = 0;
    long reps = 0, lapses = 0;
    int64_t first = 0;
    if (replays == NULL || updates == NULL || empty == NULL) goto done;
    int any_resets = PyDict_GET_SIZE(resets) > 0;
    Py_ssize_t n = PyList_GET_SIZE(rows);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 8) goto fallback;
        PyObject *rid = PyTuple_GET_ITEM(row, 0), *item_id = PyTuple_GET_ITEM(row, 1);
        PyObject *rating = PyTuple_GET_ITEM(row, 2), *at_text = PyTuple_GET_ITEM(row, 3);
        PyObject *old_before = PyTuple_GET_ITEM(row, 5), *old_due = PyTuple_GET_ITEM(row, 6);
        PyObject *uid = PyTuple_GET_ITEM(row, 7);
        int64_t at;
        if (!parse_time(at_text, &at)) goto fallback;
        if (item == NULL || (item_id != item && PyObject_RichCompareBool(item_id, item, Py_NE))) {
            if (PyErr_Occurred()) goto done;
            if (has && !add_replay(replays, item, &c, reps, lapses, first, as_rows)) goto overflow;
            item = item_id;
            has = 0;
            reps = lapses = 0;
        }
        if (any_resets) {
            PyObject *reset = PyDict_GetItemWithError(resets, item_id);
            if (reset == NULL && PyErr_Occurred()) goto done;
            int before_reset = PyObject_RichCompareBool(at_text, reset ? reset : empty, Py_LE);
            if (before_reset < 0) goto done;
            if (before_reset) {
                PyObject *entry = PyTuple_Pack(3, Py_None, at_text, uid);
                if (entry == NULL) goto done;
                int bad;
                if (rid == Py_None && want_fresh) {
                    PyObject *pair = PyTuple_Pack(2, Py_None, at_text);
                    bad = pair == NULL || PyDict_SetItem(fresh, uid, pair) < 0;
                    Py_XDECREF(pair);
                } else if (rid == Py_None) {
                    bad = PyList_Append(updates, entry) < 0;
                } else {
                    bad = 0;
                }
                Py_DECREF(entry);
                if (bad) goto done;
                continue;
            }
        }
        if (!PyLong_Check(rating)) goto fallback;
        long r = PyLong_AsLong(rating);
        if (r < 1 || r > 4) {
            PyErr_Clear();
            goto fallback;
        }
        int before;
        if (!has) {
            before = -1;
            first = at;
            c.state = p.first_state[r];
            c.step = p.first_step[r];
            c.s = p.first_s[r];
            c.d = p.first_d[r];
            c.due = at + p.first_us[r];
            c.last = at;
            has = 1;
        } else {
            before = c.state;
            if (r == 1 && before == REVIEW) lapses++;
            if (!step_card(&p, &c, (int)r, at)) goto fallback;
        }
        reps++;
        PyObject *due = time_text(c.due);
        if (due == NULL) goto overflow;
        PyObject *before_obj = before < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(before);
        int bad = 0;
        if (before_obj == NULL) {
            Py_DECREF(due);
            goto done;
        }
        if (rid == Py_None && want_fresh) {
            PyObject *pair = PyTuple_Pack(2, before_obj, due);
            bad = pair == NULL || PyDict_SetItem(fresh, uid, pair) < 0;
            Py_XDECREF(pair);
        } else {
            int add = rid == Py_None ? 1 : differs(before_obj, old_before, due, old_due);
            if (add < 0) {
                bad = 1;
            } else if (add) {
                PyObject *entry = PyTuple_Pack(3, before_obj, due, rid == Py_None ? uid : rid);
                bad = entry == NULL || PyList_Append(updates, entry) < 0;
                Py_XDECREF(entry);
            }
        }
        Py_DECREF(due);
        Py_DECREF(before_obj);
        if (bad) goto done;
    }
    if (has && !add_replay(replays, item, &c, reps, lapses, first, as_rows)) goto overflow;
    ok = 1;
done:
    Py_XDECREF(empty);
    if (!ok) {
        Py_XDECREF(replays);
        Py_XDECREF(updates);
        return NULL;
    }
    return Py_BuildValue("(NN)", replays, updates);
overflow:
    if (PyErr_Occurred()) goto done;
fallback:
    Py_XDECREF(empty);
    Py_XDECREF(replays);
    Py_XDECREF(updates);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"replay", replay, METH_VARARGS,
     "replay(rows, resets, params, fresh, as_rows=False) -> (replays, updates) or None: "
     "srs.replay_log's loop (None: replay in Python; fresh, a dict or None, may then hold some "
     "of its entries, which the Python replay writes again). as_rows: each replay as its cards "
     "row (srs.card_row)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "quizapp.store.native_replay", "srs.replay_log's loop in C (see native_replay.c).", -1, methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_native_replay(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    return PyModule_Create(&module);
}
