"""UAR/WAR fixtures from scikit-learn for the Swift ConfusionMatrix: WAR = accuracy_score,
UAR = balanced_accuracy_score (mean recall over the classes that occur in the truth), per-class
recall and precision (classes without support or without predictions marked null), the confusion
matrix, and the mean over folds. Writes Tests/Fixtures/metrics_reference.json.
Run: python Tests/Reference/metrics_reference.py   (needs numpy, scikit-learn)
"""
import json
import os
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix

warnings.filterwarnings("ignore")
rng = np.random.default_rng(11)
cases = []
for n, classes, absent in [(50, 7, None), (200, 7, 5), (31, 11, 7), (9, 3, None)]:
    truth = rng.integers(0, classes, n)
    if absent is not None:
        truth[truth == absent] = (absent + 1) % classes    # a class with zero support
    pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, classes, n))
    cm = confusion_matrix(truth, pred, labels=list(range(classes)))
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    recall = [None if support[c] == 0 else float(cm[c, c] / support[c]) for c in range(classes)]
    precision = [None if predicted[c] == 0 else float(cm[c, c] / predicted[c]) for c in range(classes)]
    cases.append(dict(classes=classes, truth=truth.tolist(), predictions=pred.tolist(), confusion=cm.tolist(),
                      war=100 * accuracy_score(truth, pred), uar=100 * balanced_accuracy_score(truth, pred),
                      recall=recall, precision=precision))
folds = dict(uar=[c["uar"] for c in cases[:2]], war=[c["war"] for c in cases[:2]])
folds["mean_uar"], folds["mean_war"] = float(np.mean(folds["uar"])), float(np.mean(folds["war"]))
path = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "metrics_reference.json")
json.dump(dict(generator="Tests/Reference/metrics_reference.py", cases=cases, folds=folds), open(path, "w"), indent=1)
print("wrote", path)
