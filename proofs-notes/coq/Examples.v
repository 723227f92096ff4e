(* Two of the paper's programs run through the definitions of Algorithm2.v, over the
   integers, at t = 0 with the tie rule relu'(0) = 0 (the T1 witnesses of docs/math.md).
   The backward sweep is computed by evaluation; the forward-mode value then follows from
   backward_eq_forward.  They show the definitions compute what the project computes
   (selgrad grad examples/relu2.sgp --at 0 and examples/zero.sgp: dy/dt = 1). *)

From mathcomp Require Import ssreflect ssrfun ssrbool eqtype ssrnat seq choice fintype.
From mathcomp Require Import bigop ssralg matrix ssrint.
From SelgradProofs Require Import Algorithm2.

Import GRing.Theory.
Local Open Scope ring_scope.

(* examples/relu2.sgp: 0 t (input); 1 a = neg t; 2 b = relu a; 3 y = add b t. *)
Definition d_relu2 (k j : nat) : int :=
  match k, j with
  | 1, 0 => -1        (* a = -t *)
  | 2, 1 => 0         (* relu at its tie a = 0: the constant piece *)
  | 3, 2 => 1 | 3, 0 => 1
  | _, _ => 0
  end.

Example relu2_at_zero : forward 4 1 d_relu2 3 = const_mx 1.
Proof.
rewrite -backward_eq_forward //; apply/rowP=> i; rewrite !mxE ord1.
by vm_compute.
Qed.

(* examples/zero.sgp: 0 t; 1 r = relu t; 2 a = neg t; 3 b = relu a; 4 r2 = add b t;
   5 y = sub r2 r.  The function is 0, yet AD returns 1 at t = 0. *)
Definition d_zero (k j : nat) : int :=
  match k, j with
  | 1, 0 => 0         (* relu at its tie t = 0 *)
  | 2, 0 => -1
  | 3, 2 => 0         (* relu at its tie a = 0 *)
  | 4, 3 => 1 | 4, 0 => 1
  | 5, 4 => 1 | 5, 1 => -1
  | _, _ => 0
  end.

Example zero_at_zero : forward 6 1 d_zero 5 = const_mx 1.
Proof.
rewrite -backward_eq_forward //; apply/rowP=> i; rewrite !mxE ord1.
by vm_compute.
Qed.
