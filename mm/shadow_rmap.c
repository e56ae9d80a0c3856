/* shadow_rmap.c: the shadow MMU's compact lists of shadow entries (reverse map and parent links). */
#include "mm/shadow_int.h"

#include "err.h"
#include "mm/phys.h"

/*
 * A list of pointers to shadow entries (u64 *) kept in one u64 head:
 *
 *   head == 0           empty
 *   head & 1            exactly one entry: head - 1 is its address
 *   otherwise           head is the address of a node:
 *                         { e[0], e[1], e[2], next }  (32 bytes, e[i] 0 = unused)
 *
 * Almost every guest frame is mapped by one shadow entry and almost every
 * shadow page has one parent, so the common case is the inline form: no
 * allocation, no pointer chase. Nodes come from pages of the VM's budget
 * owner, 128 to a page, on a free list threaded through `next`.
 */

#define NODE_ENTRIES 3

struct rnode {
	u64 e[NODE_ENTRIES];
	u64 next; /* address of the next node, 0 at the end */
};
_Static_assert(sizeof(struct rnode) == 32, "four nodes per cache line pair");

#define NODES_PER_PAGE (PAGE_SIZE / sizeof(struct rnode))

static struct rnode *node_of(u64 v)
{
	return (struct rnode *)(uintptr_t)v;
}

/* A page of nodes onto the free list; the page is remembered for destroy. */
static bool grow_nodes(struct shadow_mmu *s)
{
	hpa_t p;
	struct rnode *n;

	if (s->rmap_nodes_used >= s->rmap_nodes_max)
		return false;
	if (palloc_alloc(s->pa, 0, s->owner, &p) != PALLOC_OK)
		return false;
	s->rmap_nodes[s->rmap_nodes_used++] = p.val;
	n = phys_to_virt(p);
	for (size_t i = 0; i < NODES_PER_PAGE; i++) {
		n[i] = (struct rnode){ { 0, 0, 0 }, s->rmap_free };
		s->rmap_free = (u64)(uintptr_t)&n[i];
	}
	return true;
}

static struct rnode *node_alloc(struct shadow_mmu *s)
{
	struct rnode *n;

	if (!s->rmap_free && !grow_nodes(s))
		return NULL;
	n = node_of(s->rmap_free);
	s->rmap_free = n->next;
	*n = (struct rnode){ { 0, 0, 0 }, 0 };
	return n;
}

static void node_free(struct shadow_mmu *s, struct rnode *n)
{
	n->next = s->rmap_free;
	s->rmap_free = (u64)(uintptr_t)n;
}

int plist_add(struct shadow_mmu *s, u64 *head, const u64 *spte)
{
	u64 v = (u64)(uintptr_t)spte;
	struct rnode *n;

	if (!*head) {
		*head = v | 1;
		return 0;
	}
	if (*head & 1) { /* one inline entry: move it into a node */
		n = node_alloc(s);
		if (!n)
			return -ERR_NOMEM;
		n->e[0] = *head - 1;
		n->e[1] = v;
		*head = (u64)(uintptr_t)n;
		return 0;
	}
	for (n = node_of(*head); n; n = node_of(n->next))
		for (int i = 0; i < NODE_ENTRIES; i++)
			if (!n->e[i]) {
				n->e[i] = v;
				return 0;
			}
	n = node_alloc(s);
	if (!n)
		return -ERR_NOMEM;
	n->e[0] = v;
	n->next = *head;
	*head = (u64)(uintptr_t)n;
	return 0;
}

/* Drop empty nodes; a list left with one entry goes back to the inline form. */
static void compact(struct shadow_mmu *s, u64 *head)
{
	u64 cur = *head, first = 0, only = 0;
	struct rnode *tail = NULL;
	unsigned count = 0;

	while (cur) {
		struct rnode *n = node_of(cur);
		u64 next = n->next;
		unsigned here = 0;

		for (int i = 0; i < NODE_ENTRIES; i++)
			if (n->e[i]) {
				here++;
				only = n->e[i];
			}
		if (!here) {
			node_free(s, n);
		} else {
			n->next = 0;
			if (tail)
				tail->next = cur;
			else
				first = cur;
			tail = n;
			count += here;
		}
		cur = next;
	}
	*head = first;
	if (count == 1) {
		node_free(s, node_of(first));
		*head = only | 1;
	}
}

void plist_del(struct shadow_mmu *s, u64 *head, const u64 *spte)
{
	u64 v = (u64)(uintptr_t)spte;

	if (*head & 1) {
		if (*head - 1 == v)
			*head = 0;
		return;
	}
	for (struct rnode *n = node_of(*head); n; n = node_of(n->next))
		for (int i = 0; i < NODE_ENTRIES; i++)
			if (n->e[i] == v) {
				n->e[i] = 0;
				compact(s, head);
				return;
			}
}

u64 *plist_pop(struct shadow_mmu *s, u64 *head)
{
	u64 v = 0;

	if (!*head)
		return NULL;
	if (*head & 1) {
		v = *head - 1;
		*head = 0;
		return (u64 *)(uintptr_t)v;
	}
	for (struct rnode *n = node_of(*head); n && !v; n = node_of(n->next))
		for (int i = 0; i < NODE_ENTRIES && !v; i++)
			if (n->e[i]) {
				v = n->e[i];
				n->e[i] = 0;
			}
	compact(s, head);
	return (u64 *)(uintptr_t)v;
}

void plist_each(u64 head, void (*fn)(struct shadow_mmu *s, u64 *spte), struct shadow_mmu *s)
{
	if (!head)
		return;
	if (head & 1) {
		fn(s, (u64 *)(uintptr_t)(head - 1));
		return;
	}
	for (struct rnode *n = node_of(head); n; n = node_of(n->next))
		for (int i = 0; i < NODE_ENTRIES; i++)
			if (n->e[i])
				fn(s, (u64 *)(uintptr_t)n->e[i]);
}

bool plist_empty(u64 head)
{
	return head == 0;
}

void plist_free_pool(struct shadow_mmu *s)
{
	for (u32 i = 0; i < s->rmap_nodes_used; i++)
		palloc_free(s->pa, hpa(s->rmap_nodes[i]), 0, s->owner);
	s->rmap_nodes_used = 0;
	s->rmap_free = 0;
}
