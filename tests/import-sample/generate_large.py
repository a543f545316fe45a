#!/usr/bin/env python3
"""Writes a large import set in the sample's format, to time `portee import`.

Usage: generate_large.py FAMILIES OUTDIR
Each family: one guardian, 1 to 3 children each enrolled in one course with one
evaluation, one invoice with a line per child, and a receipt for every other family.
"""
import csv
import os
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(2026)
last_names = ["MARTIN", "LEFÈVRE", "N'DIAYE", "DUVAL", "GAUTIER", "PERRIN", "MOREAU", "ROUSSEL"]
first = ["Hélène", "Noé", "Inès", "Zoé", "Jean-Baptiste", "Léa", "Chloé", "Théo", "Maël", "Anaïs"]


def writer(name, header):
    f = open(os.path.join(out, name + ".csv"), "w", newline="", encoding="utf-8")
    w = csv.writer(f)
    w.writerow(header)
    return f, w


files = {}
def w(name, header):
    files[name] = writer(name, header)
    return files[name][1]


fam = w("familles", ["id"])
per = w("personnes", ["id", "famille", "civilite", "nom", "prenom", "date_naissance", "email",
                      "adresse", "code_postal", "ville", "tel_portable", "responsable", "eleve"])
years = w("annees", ["id", "libelle", "debut", "fin"])
deps = w("departements", ["id", "nom"])
teachers = w("enseignants", ["id", "nom", "prenom"])
courses = w("cours", ["id", "annee", "departement", "enseignant", "nom", "cycle", "jour", "heure", "duree_minutes"])
ins = w("inscriptions", ["id", "eleve", "cours", "statut"])
evs = w("evaluations", ["id", "inscription", "type", "date", "note", "sur"])
led = w("ecritures", ["id", "famille", "compte", "type", "date", "numero", "libelle", "mode", "debit", "credit", "facture_reglee"])
lines = w("lignes_facture", ["id", "ecriture", "position", "beneficiaire", "designation", "montant"])

years.writerow(["Y1", "2030/2031", "01/09/2030", "30/06/2031"])
for d, name in enumerate(["FM grand import", "Cordes grand import", "Vents grand import"]):
    deps.writerow([f"D{d}", name])
for t in range(10):
    teachers.writerow([f"T{t}", rng.choice(last_names), rng.choice(first)])
for c in range(50):
    courses.writerow([f"C{c}", "Y1", f"D{c % 3}", f"T{c % 10}", f"Cours {c}", "1C2", 1 + c % 6, f"{14 + c % 6}:00", 60])

for f in range(n):
    fam.writerow([f"F{f}"])
    last = rng.choice(last_names)
    per.writerow([f"G{f}", f"F{f}", "MME", last, rng.choice(first), "14/02/1981",
                  f"parent{f}@example.org", f"{1 + f % 90} rue des Lilas", "50700", "VALOGNES",
                  f"06{f:08d}", 1, 0])
    kids = 1 + rng.randrange(3)
    led.writerow([f"L{f}", f"F{f}", "cotisations", "facture", "05/10/2030", f"30FC{f:06d}",
                  "AVIS DES SOMMES A PAYER", "", f"{96 * kids},00", "", ""])
    for k in range(kids):
        sid = f"S{f}_{k}"
        per.writerow([sid, f"F{f}", "", last, rng.choice(first), f"0{1 + k}/03/2015", "", "", "", "", "", 0, 1])
        ins.writerow([f"I{f}_{k}", sid, f"C{rng.randrange(50)}", "ACTIF"])
        evs.writerow([f"E{f}_{k}", f"I{f}_{k}", "Contrôle continu", "15/12/2030", "14,5", "20"])
        lines.writerow([f"LF{f}_{k}", f"L{f}", k + 1, f"{last} enfant {k + 1}", "Formation musicale", "96,00"])
    if f % 2 == 0:
        led.writerow([f"R{f}", f"F{f}", "cotisations", "reglement", "20/10/2030", f"30RC{f:06d}",
                      "Chèque", "cheque", "", f"{96 * kids},00", f"L{f}"])

for f, _ in files.values():
    f.close()
