(* Algorithm 2 of Bolte & Pauwels (2020): the backward sweep returns exactly the
   forward-mode Jacobian row (the consequence of Lemma 1, claim L1 of docs/math.md).

   A program with m nodes and p inputs is given here by its local gradients:
   d k j is the partial derivative of g_k with respect to x_j (the paper's d_k[j]).
   Indices are 0-based: the inputs are the nodes 0 .. p-1 and node k >= p is computed from
   the nodes j < k.  The output is any node o < m: the paper's output node m is our
   o = m-1, and a program with several outputs runs one sweep per output, as the code does
   (reference/src/detail/sweep.hpp, backward_jacobian).

   Both modes read d k j only for j < k (the paper's pr(k) is a subset of {1..k-1}), so
   the support hypothesis "d_k is zero off {j < k}" is built into the algorithms and is
   never needed as an assumption: the theorem holds for every function d.

   It holds over any ring (commutativity is not used): both modes multiply the partials
   along a path in the same order, outer partial on the left. *)

From mathcomp Require Import ssreflect ssrfun ssrbool eqtype ssrnat seq choice fintype.
From mathcomp Require Import bigop ssralg matrix.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section Algorithm2.

Variable R : ringType.
Variables (m p : nat) (d : nat -> nat -> R).

(* The k-th basis vector, as a function of the coordinate. *)
Definition delta (k : nat) : nat -> R := fun i => (i == k)%:R.

(* ---- Forward mode ----------------------------------------------------------------
   Row k of the Jacobian, dx_k/dx (coordinate i is dx_k/dx_i), computed from the rows
   T j of the earlier nodes j < k:
     dx_k/dx = e_k                              for an input k < p,
     dx_k/dx = sum_(j < k) d_k[j] * dx_j/dx     otherwise. *)
Definition fwd_row (T : nat -> nat -> R) (k : nat) : nat -> R :=
  if k < p then delta k else fun i => \sum_(j < k) d k j * T j i.

(* fwd_table n: the rows of the nodes 0 .. n-1, computed in order k = 0, 1, .., n-1. *)
Fixpoint fwd_table (n : nat) : nat -> nat -> R :=
  if n is n'.+1 then
    let T := fwd_table n' in fun k => if k == n' then fwd_row T n' else T k
  else fun _ _ => 0.

(* Forward mode returns the row of the output node o, restricted to the p inputs. *)
Definition forward (o : nat) : 'rV[R]_p := \row_(i < p) fwd_table m o i.

(* ---- Backward mode ---------------------------------------------------------------
     v = e_o;
     for t = m-1 down to p: for j = 0 .. t-1: v[j] := v[j] + v[t] * d_t[j];
     return v[0 .. p-1].
   v[t] is never reset, exactly as in the paper.  The paper's inner loop runs over
   j in pr(t); running it over every j < t adds v[t] * 0 off pr(t), which changes nothing.
   The code loops over the argument positions of node t, adding one partial per position;
   d t j here is the sum of the partials of the positions holding x_j. *)
Definition update (v : nat -> R) (j : nat) (a : R) : nat -> R :=
  fun i => if i == j then a else v i.

(* One iteration of the outer loop (node t): the inner loop over j = 0 .. t-1. *)
Definition backward_node (v : nat -> R) (t : nat) : nat -> R :=
  foldl (fun w j => update w j (w j + w t * d t j)) v (iota 0 t).

Definition backward_vector (o : nat) : nat -> R :=
  foldl backward_node (delta o) (rev (iota p (m - p))).

Definition backward (o : nat) : 'rV[R]_p := \row_(i < p) backward_vector o i.

(* ---- Forward mode: the recursion on rows ---------------------------------------- *)

(* J k: the forward-mode row of node k. *)
Definition J (k : nat) : nat -> R := fwd_table k.+1 k.

(* Later tables do not change earlier rows. *)
Lemma fwd_table_stable (n k : nat) : k < n -> fwd_table n k = J k.
Proof.
elim: n => // n IH; rewrite ltnS leq_eqVlt => /orP[/eqP->|kn] //=.
by rewrite (ltn_eqF kn) IH.
Qed.

(* The forward-mode rows satisfy the chain rule recursion of Algorithm 2. *)
Lemma J_rec (k i : nat) :
  J k i = if k < p then (i == k)%:R else \sum_(j < k) d k j * J j i.
Proof.
rewrite /J /= eqxx /fwd_row; case: ifP => // _.
by apply: eq_bigr => j _; rewrite fwd_table_stable.
Qed.

(* ---- Backward mode: what one node does ------------------------------------------ *)

(* The inner loop of node t adds v[t] * d_t[j] to every v[j] with j < t and leaves the
   other coordinates (v[t] in particular) alone. *)
Lemma backward_node_spec (v : nat -> R) (t j : nat) :
  backward_node v t j = if j < t then v j + v t * d t j else v j.
Proof.
rewrite /backward_node.
have loop n : n <= t -> forall i,
  foldl (fun w j => update w j (w j + w t * d t j)) v (iota 0 n) i
  = if i < n then v i + v t * d t i else v i.
  elim: n => [_ i|n IH nt i]; first by rewrite ltn0.
  rewrite -addn1 iotaD add0n foldl_cat /=; set W := foldl _ v _.
  (* while the loop runs (n < t), the coordinate t is not touched *)
  rewrite /update /W !IH ?(ltnW nt) // ltnn ltnNge (ltnW nt) /= addn1 ltnS.
  by case: (eqVneq i n) => [->|ne]; rewrite ?leqnn // ltn_neqAle ne.
exact: loop.
Qed.

(* ---- The invariant of the backward sweep ----------------------------------------
   After the nodes m-1 .. s have been processed (s >= p), the output row is the
   combination, with the current coefficients v[j], of the rows of the nodes j < s:
     dx_o/dx = sum_(j < s) v[j] * dx_j/dx.
   Processing node s replaces the term v[s] * dx_s/dx by
   sum_(j < s) v[s] * d_s[j] * dx_j/dx, equal to it by the forward recursion (s >= p).
   The coordinates v[j], j >= s, are no longer read: that is why v[t] need not be reset. *)
Lemma backward_invariant (o n s : nat) : o < m -> (s + n)%N = m -> p <= s -> forall i,
  J o i
  = \sum_(j < s) foldr (fun t v => backward_node v t) (delta o) (iota s n) j * J j i.
Proof.
move=> om; elim: n s => [|n IH] s snm ps i.
  (* no node processed yet: v = e_o and the sum has the single term J o *)
  move: snm; rewrite addn0 => ->.
  rewrite (bigD1 (Ordinal om)) //= /delta eqxx mul1r big1 ?addr0 // => j ne.
  have /negPf-> : (j : nat) != o by [].
  by rewrite mul0r.
(* node s is processed last: v = backward_node w s, where w is the vector after the
   nodes m-1 .. s+1, for which the invariant holds with s+1 *)
rewrite /=; set w := foldr _ _ (iota s.+1 n).
have := IH s.+1 _ (leqW ps) i; rewrite addSnnS => /(_ snm) ->.
(* the last term w[s] * J s is expanded by the forward recursion (s >= p) *)
rewrite big_ord_recr /= (J_rec s) ltnNge ps /= mulr_sumr -big_split /=.
by apply: eq_bigr => j _; rewrite backward_node_spec ltn_ord mulrDl mulrA.
Qed.

(* ---- Main theorem ---------------------------------------------------------------- *)

(* For every program (m nodes, p inputs, local gradients d) and every output node o < m,
   the backward sweep of Algorithm 2 returns the same vector as forward mode. *)
Theorem backward_eq_forward (o : nat) : o < m -> backward o = forward o.
Proof.
move=> om; apply/rowP=> i; rewrite !mxE /backward_vector foldl_rev fwd_table_stable //.
case: (ltnP p m) => [pm|mp].
  (* the invariant after all the nodes m-1 .. p: the output row is sum_(j < p) v[j] e_j *)
  rewrite (@backward_invariant o (m - p) p) ?subnKC ?(ltnW pm) //.
  rewrite (bigD1 i) //= J_rec ltn_ord eqxx mulr1 big1 ?addr0 // => j ne.
  rewrite J_rec ltn_ord.
  have /negPf-> : (i : nat) != j by rewrite eq_sym.
  by rewrite mulr0.
(* a program without computed nodes (m <= p): nothing to sweep, the output is an input *)
have -> : (m - p)%N = 0%N by apply/eqP; rewrite subn_eq0.
by rewrite /= J_rec (leq_trans om mp).
Qed.

(* The paper's statement: one output, the last node (the paper's node m), and p < m. *)
Corollary backward_eq_forward_last : p < m -> backward m.-1 = forward m.-1.
Proof.
move=> pm; apply: backward_eq_forward.
by rewrite ltn_predL (leq_ltn_trans (leq0n p) pm).
Qed.

End Algorithm2.
