"""Regenerate the shipped stage-3 preference pairs and the held-out test set from the tables below.

    python scripts/make_examples_stage_3_test.py           # (re)write the two files
    python scripts/make_examples_stage_3_test.py --check   # exit 1 if the files differ from the tables

Writes ``data/examples/sample_stage_3.jsonl`` (50 DPO preference pairs) and
``data/examples/test.jsonl`` (75 held-out stage-1 examples).

Every narrative here is synthetic, written by hand for THCE: no real patient, no names, dates,
places or identifiers. Code descriptions are not typed here: they come from THCE's code
databases (``thce.codes``), so answers always match what the validator knows, and a code missing
from the shipped databases stops the script with an error.

Each preference pair's ``rejected`` answer is a realistic coding mistake (``metadata.mistake``):

* ``wrong_specificity`` - a valid but less specific code (E11.9 when hyperglycemia is documented,
  an unspecified side when laterality is documented);
* ``near_miss_code`` - a neighbouring code (E/M level, new vs established, views, dose unit,
  route, equipment variant, the other side);
* ``wrong_code_type`` - a code from the wrong system (the diagnosis when the service was asked,
  a CPT code where Medicare requires HCPCS);
* ``symptom_instead_of_diagnosis`` - a sign/symptom code although a definitive diagnosis is
  documented;
* ``missing_reasoning`` - a hasty answer with no ``<think>`` block that lands on a wrong code.

The test set is held out: its narratives appear in no training file (the script checks exact and
near-duplicate overlap with ``sample_stage_{1,2,3}.jsonl`` and fails on any). About 60 % of its
codes also occur in training (with different narratives) and the rest do not;
``metadata.code_in_training`` records which, so results can be split by seen/unseen codes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from thce.codes import CodeValidator
from thce.data.formats import (
    build_stage_1_example,
    build_stage_3_example,
    format_answer,
    format_reasoned_answer,
    get_answer_text,
    get_narrative,
    parse_answer,
)
from thce.io import write_jsonl

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO_ROOT / "data" / "examples"
TYPE_ORDER = ("ICD10", "CPT", "HCPCS")

# Required mixes (issue 3): 40 % ICD-10-CM, 30 % CPT, 30 % HCPCS.
PAIR_COUNTS = {"ICD10": 20, "CPT": 15, "HCPCS": 15}
TEST_COUNTS = {"ICD10": 30, "CPT": 23, "HCPCS": 22}
MISTAKES = (
    "wrong_specificity",
    "near_miss_code",
    "wrong_code_type",
    "symptom_instead_of_diagnosis",
    "missing_reasoning",
)
# Near-duplicate thresholds for held-out narratives, measured on these tables: unrelated
# narratives about the same code score at most ~60 with fuzz.ratio; copies with small edits
# score 85+. Any shared run of SHINGLE words also counts as overlap (a copied sentence).
NEAR_DUPLICATE_RATIO = 75.0
SHINGLE = 8


@dataclass(frozen=True)
class Case:
    """One authored narrative with its gold code (a test example or a fixture)."""

    narrative: str
    code_type: str
    code: str
    specialty: str


@dataclass(frozen=True)
class Pair:
    """One authored preference pair: gold answer with reasoning, plus a realistic mistake.

    ``rejected_reasoning`` is ``None`` exactly when ``mistake == "missing_reasoning"``.
    """

    narrative: str
    code_type: str
    code: str
    specialty: str
    reasoning: str
    mistake: str
    rejected_type: str
    rejected_code: str
    rejected_reasoning: str | None = None


# --------------------------------------------------------------------------------------------
# Stage 3: preference pairs (chosen = reasoning + correct code, rejected = a realistic mistake)
# --------------------------------------------------------------------------------------------
PAIRS: list[Pair] = [
    # ---- ICD-10-CM (20) ----
    Pair(
        "Type 2 diabetes follow-up in a 57 yo woman who stopped metformin three months ago "
        "because of stomach upset. A1c now 9.7% and random glucose 286 mg/dL, with increased "
        "thirst and waking at night to urinate. Monofilament, retinal exam and urine albumin all "
        "normal. Restarting extended-release metformin and adding a GLP-1 agonist.",
        "ICD10",
        "E11.65",
        "endocrinology",
        "The patient has type 2 diabetes with documented hyperglycemia: A1c 9.7%, glucose 286 "
        "mg/dL and osmotic symptoms. Eye, foot and kidney screening are normal, so there is no "
        "other diabetic complication to capture. ICD-10-CM treats hyperglycemia as a "
        "complication with its own combination code, E11.65, which is more specific than E11.9.",
        "wrong_specificity",
        "ICD10",
        "E11.9",
        "The patient has type 2 diabetes, and the eye, foot and kidney screening are all "
        "normal. With no diabetic complications found on screening, the diabetes is coded as "
        "uncomplicated.",
    ),
    Pair(
        "69 yo with known heart failure with reduced ejection fraction (EF 25% on the last echo) "
        "admitted after two weeks of worsening orthopnea, a 5 kg weight gain and pitting edema to "
        "the knees. BNP 2140 pg/mL; chest film shows pulmonary vascular congestion. IV furosemide "
        "started and the home beta-blocker continued.",
        "ICD10",
        "I50.23",
        "cardiology",
        "Heart failure with reduced ejection fraction is classified as systolic heart failure in "
        "ICD-10-CM. The disease is long-standing (chronic) and now decompensated with weight "
        "gain, orthopnea and congestion (acute), so the acuity is acute on chronic. That gives "
        "I50.23; I50.9 would discard both the type and the acuity the note documents.",
        "wrong_specificity",
        "ICD10",
        "I50.9",
        "The patient is admitted for decompensated heart failure with fluid overload treated "
        "with IV diuretics. Heart failure is the diagnosis for this admission, so the heart "
        "failure code is assigned.",
    ),
    Pair(
        "Tall, thin 22 yo smoker with sudden sharp right-sided chest pain and mild breathlessness "
        "that began while sitting at a desk. No trauma, no known lung disease. Chest X-ray shows a "
        "3 cm apical pneumothorax on the right. Needle aspiration with re-expansion; discharged "
        "with follow-up imaging.",
        "ICD10",
        "J93.11",
        "pulmonology",
        "A pneumothorax that occurs at rest with no injury and no underlying lung disease is a "
        "primary spontaneous pneumothorax, J93.11. The note explicitly rules out trauma, so the "
        "injury code S27.0XXA does not apply, and the absence of known lung disease rules out "
        "secondary spontaneous pneumothorax (J93.12).",
        "near_miss_code",
        "ICD10",
        "S27.0XXA",
        "The chest X-ray confirms a pneumothorax that was treated at this first visit. A "
        "pneumothorax at the initial encounter is coded with the pneumothorax code and the "
        "initial-encounter seventh character.",
    ),
    Pair(
        "Left groin pain with walking for a year in a 66 yo woman, now limiting her to one "
        "block. Internal rotation of the left hip is painful and restricted; the right hip moves "
        "freely. Radiographs show joint space loss, subchondral sclerosis and osteophytes in the "
        "left hip only. No prior injury or inflammatory arthritis. Referred for total hip "
        "arthroplasty evaluation.",
        "ICD10",
        "M16.12",
        "orthopedics",
        "Degenerative changes without injury or inflammatory disease are primary "
        "osteoarthritis. Only the left hip is affected, so this is unilateral (M16.1-) rather "
        "than bilateral (M16.0). The note documents the side, so the sixth character is 2 for "
        "the left hip: M16.12.",
        "wrong_specificity",
        "ICD10",
        "M16.10",
        "Radiographs show primary osteoarthritis limited to one hip, without injury or "
        "inflammatory arthritis. The unilateral primary hip osteoarthritis code applies.",
    ),
    Pair(
        "78 yo with distortion of straight lines in the right eye over two weeks. Acuity 20/80 "
        "right and 20/30 left. OCT of the right macula shows subretinal fluid from a choroidal "
        "neovascular membrane; the left eye has drusen only. Exudative age-related macular "
        "degeneration of the right eye with active neovascularization; first intravitreal "
        "anti-VEGF injection given today.",
        "ICD10",
        "H35.3211",
        "ophthalmology",
        "Subretinal fluid from a choroidal neovascular membrane in an older adult is exudative "
        "(wet) age-related macular degeneration, coded in H35.32-. The right eye is affected "
        "(sixth character 1) and the membrane is active and being treated (seventh character "
        "1), giving H35.3211. The dry changes in the left eye would be coded separately and do "
        "not change this code.",
        "wrong_specificity",
        "ICD10",
        "H35.30",
        "OCT confirms age-related macular degeneration and treatment was started. The macular "
        "degeneration code captures the condition.",
    ),
    Pair(
        "Nephrology visit for a 70 yo whose kidneys never fully recovered from acute tubular "
        "necrosis several years ago. eGFR 38 and 36 mL/min three months apart, urine albumin "
        "mildly increased. No diabetes, blood pressure normal without medication. Chronic kidney "
        "disease stage 3b; avoid nephrotoxins and recheck labs in three months.",
        "ICD10",
        "N18.32",
        "nephrology",
        "Two eGFR values of 36 and 38 mL/min at least three months apart establish chronic "
        "kidney disease, and an eGFR of 30 to 44 is stage 3b. ICD-10-CM splits stage 3 into "
        "N18.31 (3a) and N18.32 (3b), so the documented substage should be used instead of "
        "N18.30. With no diabetes or hypertension, no combination code is needed.",
        "wrong_specificity",
        "ICD10",
        "N18.30",
        "The patient has stage 3 chronic kidney disease and no diabetes or hypertension, so no "
        "combination code is required. The stage 3 chronic kidney disease code is assigned.",
    ),
    Pair(
        "Heartburn and acid regurgitation for a year in a 50 yo despite antacids. Upper endoscopy: "
        "Los Angeles grade B erosive esophagitis in the distal esophagus, no ulcer, no stricture "
        "and no bleeding; biopsies show no intestinal metaplasia. Reflux esophagitis; high-dose "
        "proton pump inhibitor for eight weeks.",
        "ICD10",
        "K21.00",
        "gastroenterology",
        "Endoscopy confirms reflux disease with erosive esophagitis, so the K21.0- codes for "
        "GERD with esophagitis apply, not K21.9, which means reflux without esophagitis. No "
        "bleeding is documented, which selects K21.00 over K21.01.",
        "near_miss_code",
        "ICD10",
        "K21.9",
        "The patient has gastroesophageal reflux disease with heartburn and regurgitation, "
        "treated with a proton pump inhibitor. There is no bleeding, ulcer or stricture, so the "
        "uncomplicated reflux code is used.",
    ),
    Pair(
        "63 yo man with hypertension diagnosed several years ago, on amlodipine 10 mg. Blood "
        "pressure 152/94 in the office today after he ran out of tablets a week ago; home "
        "readings were in the 120s while on treatment. No chest pain or edema, normal kidney "
        "function, no heart or kidney disease. Refilled amlodipine.",
        "ICD10",
        "I10",
        "general medicine",
        "The provider documents an established diagnosis of hypertension under treatment, so a "
        "hypertension code applies; today's high reading reflects missed doses, not a new "
        "finding. There is no heart disease or chronic kidney disease to require the I11 or I12 "
        "combination codes, which leaves essential hypertension, I10.",
        "symptom_instead_of_diagnosis",
        "ICD10",
        "R03.0",
        "The blood pressure reading today is elevated at 152/94 mmHg. An elevated reading "
        "recorded at the visit is coded with the elevated blood pressure code.",
    ),
    Pair(
        "26 yo whose asthma wakes her two or three nights a week and needs albuterol daily "
        "despite a medium-dose inhaled steroid with a long-acting bronchodilator; her "
        "pulmonologist classifies it as moderate persistent. Two days of worse wheeze and chest "
        "tightness after a cold, peak flow 55% of her best. Nebulized albuterol and a five-day "
        "prednisone burst for an acute exacerbation.",
        "ICD10",
        "J45.41",
        "pulmonology",
        "The severity is documented as moderate persistent, and this visit is for an acute "
        "exacerbation with reduced peak flow that needs systemic steroids. ICD-10-CM combines "
        "both in J45.41, moderate persistent asthma with acute exacerbation. There is no status "
        "asthmaticus, so J45.42 does not apply, and J45.909 would discard severity and "
        "exacerbation.",
        "wrong_specificity",
        "ICD10",
        "J45.909",
        "The patient has asthma and is treated with albuterol and prednisone. Asthma is the "
        "documented diagnosis, so the asthma code is assigned.",
    ),
    Pair(
        "45 yo man in his third episode of depression: two earlier episodes in his thirties were "
        "treated, with full remission between them. For two months, low mood, loss of interest, "
        "early waking, poor appetite and guilt; still working, with effort. PHQ-9 score 15. No "
        "psychotic features or suicidal intent. Major depressive disorder, moderate; restarting "
        "sertraline.",
        "ICD10",
        "F33.1",
        "psychiatry",
        "Prior depressive episodes with remission in between make this a recurrent major "
        "depressive disorder, coded in F33.-, not the single-episode category F32.-. Severity is "
        "documented as moderate without psychotic features, giving F33.1.",
        "near_miss_code",
        "ICD10",
        "F32.1",
        "The patient meets criteria for a major depressive episode of moderate severity, with "
        "a PHQ-9 of 15 and no psychotic features. Moderate major depressive disorder is coded.",
    ),
    Pair(
        "34 yo with headaches on 18 days a month for the past six months, at least ten of them "
        "throbbing, with nausea and light sensitivity like her migraines. No aura. Attacks "
        "respond partly to triptans and have never lasted more than 72 hours. Neurologic exam "
        "normal. Chronic migraine without aura; starting a preventive medication.",
        "ICD10",
        "G43.709",
        "neurology",
        "Headache on 15 or more days a month for more than three months with migrainous "
        "features is chronic migraine, and the provider documents that diagnosis without aura. "
        "The migraine is not described as intractable and no attack lasted over 72 hours, so "
        "the code is G43.709. A symptom code such as R51.9 is not used once a definitive "
        "diagnosis is made.",
        "symptom_instead_of_diagnosis",
        "ICD10",
        "R51.9",
        "The patient presents with frequent headaches on most days of the month. Headache is "
        "the presenting complaint, so the headache code is assigned.",
    ),
    Pair(
        "17 yo with open and closed comedones, inflammatory papules and a few pustules on the "
        "forehead, cheeks and upper back for two years. No nodules, cysts or scarring, and no "
        "medication known to cause acne. Acne vulgaris, moderate; topical adapalene with benzoyl "
        "peroxide and oral doxycycline for three months.",
        "ICD10",
        "L70.0",
        "dermatology",
        "Comedones with inflammatory papules and pustules on the face and back are common acne, "
        "documented as acne vulgaris. ICD-10-CM has a specific code for it, L70.0, so the "
        "unspecified acne code is not needed. There are no interconnected cysts or abscesses "
        "that would suggest acne conglobata (L70.1).",
        "missing_reasoning",
        "ICD10",
        "L70.9",
    ),
    Pair(
        "G3P2 at 32 weeks with gestational diabetes diagnosed at 25 weeks. Despite diet changes, "
        "fasting glucose readings stayed above 105 mg/dL, so bedtime NPH insulin was started two "
        "weeks ago; readings are now at target. No diabetes before this pregnancy. Growth scan "
        "shows the fetus at the 60th percentile.",
        "ICD10",
        "O24.414",
        "obstetrics/gynecology",
        "Diabetes first diagnosed in pregnancy, with none before it, is gestational diabetes, "
        "O24.4-. The sixth character records how it is controlled: diet alone failed and the "
        "patient now takes insulin, so the code is O24.414, insulin controlled. O24.410 is only "
        "for diet-controlled disease.",
        "near_miss_code",
        "ICD10",
        "O24.410",
        "The patient has gestational diabetes and has been following a diabetic diet. "
        "Gestational diabetes managed with diet is coded as diet controlled.",
    ),
    Pair(
        "7 yo fell from the monkey bars onto an outstretched left hand. Tender over the distal "
        "left forearm, no deformity, skin intact. X-rays show a buckle fracture of the distal "
        "left radius metaphysis with the ulna intact; the right arm was not injured. Removable "
        "wrist splint applied at this first visit.",
        "ICD10",
        "S52.522A",
        "orthopedics",
        "A buckle fracture is a torus fracture, coded for the lower end of the radius in "
        "S52.52-. The injured side is the left, so the sixth character is 2, and this is the "
        "first visit for a closed fracture, so the seventh character is A: S52.522A.",
        "near_miss_code",
        "ICD10",
        "S52.521A",
        "X-rays show a torus fracture of the distal radius with intact skin at the initial "
        "visit. The torus fracture of the lower end of the radius, initial encounter for closed "
        "fracture, is coded.",
    ),
    Pair(
        "62 yo with iron deficiency and a change in bowel habit. Colonoscopy found a friable, "
        "partially obstructing mass in the sigmoid colon 25 cm from the anal verge; biopsy shows "
        "adenocarcinoma. CT of the chest, abdomen and pelvis without metastases. Referred for "
        "sigmoid colectomy.",
        "ICD10",
        "C18.7",
        "oncology",
        "Biopsy confirms a primary adenocarcinoma of the colon, coded in C18.-. The documented "
        "site is the sigmoid colon, which has its own fourth character, C18.7, so the "
        "unspecified colon code C18.9 is not appropriate. Staging found no metastases, so no "
        "secondary neoplasm code is needed.",
        "wrong_specificity",
        "ICD10",
        "C18.9",
        "The biopsy shows colon adenocarcinoma with no metastases on CT. The malignant neoplasm "
        "of the colon is coded.",
    ),
    Pair(
        "31 yo with palpitations, heat intolerance, tremor and 6 kg weight loss. Diffusely "
        "enlarged, non-tender thyroid with a bruit and mild proptosis. TSH suppressed, free T4 "
        "high, TSH receptor antibodies positive. Diffuse toxic goiter; methimazole and a beta-"
        "blocker started. No fever, confusion or other sign of thyroid storm.",
        "ICD10",
        "E05.00",
        "endocrinology",
        "The diffuse goiter, positive TSH receptor antibodies and eye signs document "
        "thyrotoxicosis due to diffuse toxic goiter, which is E05.0-. There is no fever, "
        "delirium or other sign of thyrotoxic crisis, so the fifth character is 0: E05.00. "
        "E05.90 would ignore the documented cause.",
        "wrong_specificity",
        "ICD10",
        "E05.90",
        "A suppressed TSH with a high free T4 confirms hyperthyroidism, and there are no signs "
        "of thyroid storm. Thyrotoxicosis without crisis is coded.",
    ),
    Pair(
        "58 yo with spells of rapid, irregular palpitations lasting a few hours that stop on "
        "their own, two or three times a month. A 14-day patch monitor captured atrial "
        "fibrillation episodes of up to nine hours, each ending spontaneously; today's ECG shows "
        "sinus rhythm. CHA2DS2-VASc score 1. Rhythm-control strategy discussed and flecainide "
        "started.",
        "ICD10",
        "I48.0",
        "cardiology",
        "Atrial fibrillation that starts and stops on its own within seven days, with sinus "
        "rhythm between episodes, is paroxysmal. The monitor documents self-terminating "
        "episodes, so the type is known and I48.0 is more specific than unspecified atrial "
        "fibrillation, I48.91.",
        "wrong_specificity",
        "ICD10",
        "I48.91",
        "The patch monitor captured atrial fibrillation, confirming the diagnosis. Atrial "
        "fibrillation is coded.",
    ),
    Pair(
        "29 yo woman with a day of painful urination, suprapubic pain and frequency; no fever, "
        "flank pain or visible blood in the urine. Urinalysis shows pyuria and nitrites with no "
        "red cells. Assessment: acute cystitis without hematuria. Three days of trimethoprim-"
        "sulfamethoxazole.",
        "ICD10",
        "N30.00",
        "general medicine",
        "The provider names the bladder as the site of infection (acute cystitis), so the "
        "N30.0- codes take priority over N39.0, urinary tract infection with site not "
        "specified. Hematuria is absent on history and urinalysis, which selects N30.00.",
        "wrong_specificity",
        "ICD10",
        "N39.0",
        "Dysuria, frequency, pyuria and nitrites are consistent with a urinary tract infection. "
        "It is uncomplicated and treated with oral antibiotics, so the urinary tract infection "
        "code is assigned.",
    ),
    Pair(
        "40 yo with twelve days of nasal congestion and thick discolored discharge after a cold, "
        "with pain and pressure over the left cheek that worsen when bending forward, and an "
        "ache in the upper teeth. Tender over the left maxillary sinus, no orbital swelling. "
        "First episode this year. Acute maxillary sinusitis; amoxicillin-clavulanate and saline "
        "irrigation.",
        "ICD10",
        "J01.00",
        "general medicine",
        "Symptoms lasting more than ten days after a cold, with cheek pain and maxillary "
        "tenderness, document acute sinusitis of the maxillary sinus. It is not described as "
        "recurrent, so J01.00 applies rather than J01.01. Because the sinus is named, the "
        "unspecified-sinus code J01.90 is less specific than the documentation supports.",
        "missing_reasoning",
        "ICD10",
        "J01.90",
    ),
    Pair(
        "38 yo with heavy menstrual bleeding from uterine fibroids and increasing fatigue. "
        "Hemoglobin 8.4 g/dL, MCV 68 fL, ferritin 4 ng/mL. The gynecologist documents iron "
        "deficiency anemia due to chronic blood loss from heavy menses. Oral iron was not "
        "tolerated; intravenous iron will be scheduled at the infusion center next week.",
        "ICD10",
        "D50.0",
        "obstetrics/gynecology",
        "Nothing was administered or performed at this visit, since IV iron is only planned, so "
        "the encounter is described by its diagnosis. Microcytic anemia with depleted iron "
        "stores that the provider attributes to chronic menstrual blood loss is D50.0, iron "
        "deficiency anemia secondary to chronic blood loss, rather than D50.9.",
        "wrong_code_type",
        "HCPCS",
        "J1756",
        "The plan is intravenous iron for iron deficiency anemia. Iron sucrose is the iron "
        "product commonly given by infusion, so the HCPCS drug code for iron sucrose is "
        "assigned.",
    ),
    # ---- CPT (15) ----
    Pair(
        "Established patient, 61 yo, seen for type 2 diabetes and hypertension. A1c rose to "
        "8.6% and home blood pressures average 148/92, so neither condition is at goal. "
        "Reviewed labs and home logs, increased lisinopril, added a second oral diabetes agent "
        "and ordered a metabolic panel. Total time 25 minutes; medical decision making "
        "documented as moderate.",
        "CPT",
        "99214",
        "general medicine",
        "This is an office visit for an established patient, so the 99211-99215 codes apply. "
        "Two chronic illnesses not at goal are a moderate number and complexity of problems, "
        "and prescription drug management is moderate risk, which supports moderate medical "
        "decision making. The level may be chosen by decision making or by time, and decision "
        "making supports 99214 even though 25 minutes alone would only support 99213.",
        "near_miss_code",
        "CPT",
        "99213",
        "This is an established patient follow-up for chronic conditions with 25 minutes of "
        "total time. A total time of 20 to 29 minutes corresponds to a low-complexity "
        "established patient visit.",
    ),
    Pair(
        "52 yo woman new to the practice, establishing endocrine care for a 2.4 cm thyroid "
        "nodule found incidentally on a neck CT; she has never been seen by any clinician in "
        "this group. Reviewed the outside imaging, examined the neck, ordered a TSH and an "
        "ultrasound-guided fine-needle aspiration, and discussed possible surgery. Medical "
        "decision making of moderate complexity; 50 minutes on the date of the visit.",
        "CPT",
        "99204",
        "endocrinology",
        "The patient has not received professional services from this group in the past three "
        "years, so the new-patient codes 99202-99205 apply, not the established-patient codes. "
        "An undiagnosed new problem with uncertain prognosis, review of outside data and a "
        "decision about a biopsy support moderate decision making, and 50 minutes also fits "
        "level 4: 99204.",
        "near_miss_code",
        "CPT",
        "99214",
        "The documentation supports moderate medical decision making and 50 minutes of total "
        "time for an office visit. A moderate-complexity office visit is coded at level 4.",
    ),
    Pair(
        "Screening colonoscopy to the cecum in a 56 yo with good bowel preparation. A 12 mm "
        "sessile polyp in the transverse colon was removed with a cold snare and retrieved; two "
        "tiny rectal polyps that looked hyperplastic were left in place. No biopsies were taken. "
        "Specimen sent to pathology; surveillance interval pending results.",
        "CPT",
        "45385",
        "gastroenterology",
        "A polyp removed with a snare during colonoscopy is reported with 45385, colonoscopy "
        "with removal of lesions by snare technique. No biopsies were taken, so 45380 does not "
        "apply, and hot biopsy forceps (45384) were not the technique used. The screening "
        "intent is shown with a modifier, not with a different CPT code.",
        "near_miss_code",
        "CPT",
        "45380",
        "A polyp was removed during the colonoscopy and sent to pathology for a tissue "
        "diagnosis. Because tissue was obtained for pathology, the colonoscopy with biopsy code "
        "applies.",
    ),
    Pair(
        "Upper endoscopy for dyspepsia and iron deficiency in a 49 yo. Esophagus normal. Patchy "
        "erythema in the gastric antrum; cold forceps biopsies taken from the antrum and body "
        "to test for Helicobacter. Duodenum normal, with biopsies of the second portion for "
        "celiac disease. Scope withdrawn without complication.",
        "CPT",
        "43239",
        "gastroenterology",
        "An esophagogastroduodenoscopy was performed and tissue was sampled with forceps. CPT "
        "43239 covers EGD with biopsy, single or multiple, so biopsies from several sites are "
        "still reported once. The diagnostic-only code 43235 does not apply because biopsies "
        "were taken.",
        "missing_reasoning",
        "CPT",
        "43235",
    ),
    Pair(
        "Transthoracic echocardiogram ordered for a new systolic murmur in a 70 yo. Complete "
        "two-dimensional study with M-mode, spectral Doppler and color flow Doppler. Findings: "
        "mild aortic sclerosis without stenosis, normal left ventricular size and function, "
        "ejection fraction 60%. Interpretation and report completed by the cardiologist.",
        "CPT",
        "93306",
        "cardiology",
        "The narrative describes the study performed: a complete transthoracic echocardiogram "
        "with spectral and color flow Doppler, which is CPT 93306. The murmur is the reason for "
        "the test and belongs on the claim as a diagnosis, but the service itself needs a "
        "procedure code. Without Doppler it would be 93307, and a limited study 93308.",
        "wrong_code_type",
        "ICD10",
        "R01.1",
        "The echocardiogram was ordered to evaluate a murmur and showed only mild aortic "
        "sclerosis. The murmur is the documented clinical problem, so the murmur code is "
        "assigned.",
    ),
    Pair(
        "35 yo with cough and fever seen in the emergency department. Chest radiographs in "
        "posteroanterior and lateral projections obtained and read by the radiologist: no "
        "focal consolidation, no effusion, normal heart size. Discharged with supportive care.",
        "CPT",
        "71046",
        "emergency medicine",
        "The service is a chest X-ray, and CPT codes chest radiographs by the number of views. "
        "Posteroanterior plus lateral is two views, which is 71046. A single portable view "
        "would be 71045.",
        "near_miss_code",
        "CPT",
        "71045",
        "A chest radiograph was obtained in the emergency department and showed no "
        "consolidation. A routine chest X-ray is reported with the single-view code.",
    ),
    Pair(
        "Right knee arthroscopy for a medial meniscus tear after a twisting injury playing "
        "basketball. Findings: complex tear of the posterior horn of the medial meniscus, intact "
        "cruciate ligaments, normal lateral meniscus and cartilage. Partial medial meniscectomy "
        "back to a stable rim with a shaver and biter. Portals closed; to recovery in good "
        "condition.",
        "CPT",
        "29881",
        "orthopedics",
        "The narrative is an operative note: knee arthroscopy with partial meniscectomy of one "
        "meniscus, the medial. CPT 29881 covers arthroscopic meniscectomy of the medial or "
        "lateral meniscus, while 29880 requires both. The tear is the diagnosis that supports "
        "medical necessity, not the code for the procedure performed.",
        "wrong_code_type",
        "ICD10",
        "S83.241A",
        "The patient has a complex tear of the medial meniscus of the right knee from a "
        "twisting injury, treated for the first time. The meniscal tear is coded with right "
        "laterality and an initial-encounter seventh character.",
    ),
    Pair(
        "Rheumatology visit for a 68 yo with a painful, swollen left knee effusion. After sterile "
        "preparation, the knee was aspirated using palpation landmarks through a superolateral "
        "approach, removing 40 mL of straw-colored fluid, and then injected with triamcinolone "
        "40 mg. No imaging guidance was used. Fluid sent for crystal analysis.",
        "CPT",
        "20610",
        "rheumatology",
        "Aspiration and injection of the knee is arthrocentesis of a major joint. The note "
        "states that landmarks were used without imaging guidance, which selects 20610 rather "
        "than 20611 (ultrasound guidance with a recorded image). Aspiration and injection of the "
        "same joint are reported once.",
        "near_miss_code",
        "CPT",
        "20611",
        "The knee, a major joint, was aspirated and injected in the same session with the "
        "needle placed precisely into the effusion. Major joint aspiration and injection with "
        "guidance is reported.",
    ),
    Pair(
        "Routine EEG for a 24 yo after a first unprovoked convulsion. A 40-minute recording with "
        "photic stimulation and hyperventilation captured wakefulness and stage 2 sleep with "
        "spindles. No epileptiform discharges. Interpreted and reported by the neurologist.",
        "CPT",
        "95819",
        "neurology",
        "A routine EEG is coded by the states recorded: 95816 is awake and drowsy, 95819 is "
        "awake and asleep. The report documents sleep (stage 2 with spindles), so 95819 "
        "applies. It is a standard recording under an hour, not long-term monitoring.",
        "near_miss_code",
        "CPT",
        "95816",
        "A routine 40-minute EEG with activation procedures was recorded and interpreted. A "
        "standard awake EEG is reported.",
    ),
    Pair(
        "Individual psychotherapy for a 33 yo with panic disorder: cognitive behavioral therapy "
        "focused on interoceptive exposure and catastrophic thinking, with homework planned. "
        "Face-to-face psychotherapy time 48 minutes. No medication management or evaluation and "
        "management service at this session.",
        "CPT",
        "90834",
        "psychiatry",
        "This is individual psychotherapy without an evaluation and management service, so the "
        "standalone codes 90832, 90834 and 90837 apply. CPT time ranges are 38 to 52 minutes "
        "for 90834 and 53 minutes or more for 90837. At 48 minutes, the correct code is 90834.",
        "near_miss_code",
        "CPT",
        "90837",
        "The therapist provided a full individual psychotherapy session of nearly an hour. A "
        "full session is reported with the 60-minute psychotherapy code.",
    ),
    Pair(
        "Six common warts on the fingers of both hands in a 15 yo, present for a year despite "
        "over-the-counter salicylic acid. Each wart treated with liquid nitrogen cryotherapy, two "
        "freeze-thaw cycles. No premalignant or malignant lesions. Home care reviewed.",
        "CPT",
        "17110",
        "dermatology",
        "Common warts are benign lesions, and liquid nitrogen cryotherapy destroys them. CPT "
        "17110 covers destruction of up to 14 benign lesions other than skin tags, so all six "
        "warts are reported with one unit. The 17000 series is for premalignant lesions such as "
        "actinic keratoses, which are not present.",
        "near_miss_code",
        "CPT",
        "17000",
        "Cryotherapy destroyed skin lesions on the hands. Destruction of the first lesion is "
        "reported with the lesion destruction code, with add-on units for the others.",
    ),
    Pair(
        "G2P1 at 24 weeks with fundal height lagging behind dates. Transabdominal obstetric "
        "ultrasound, single fetus: biometry for growth, fetal position, placental location, "
        "amniotic fluid index and a survey of fetal anatomy. Estimated fetal weight at the 30th "
        "percentile. A detailed anatomic evaluation was not performed.",
        "CPT",
        "76805",
        "obstetrics/gynecology",
        "This is a transabdominal ultrasound of a single fetus at 24 weeks, after the first "
        "trimester. The standard study with biometry, fluid, placenta and an anatomy survey is "
        "76805. The first-trimester code 76801 applies only before 14 weeks, and the detailed "
        "anatomic study 76811 was explicitly not done.",
        "near_miss_code",
        "CPT",
        "76801",
        "A complete transabdominal obstetric ultrasound with biometry and an anatomy survey of "
        "one fetus was performed. The complete obstetric ultrasound code for a single fetus is "
        "assigned.",
    ),
    Pair(
        "Outpatient surgery on the right eye of a 74 yo with a visually significant nuclear "
        "cataract. Phacoemulsification through a clear corneal incision with a foldable "
        "posterior chamber intraocular lens placed in the capsular bag. No iris expansion "
        "device, capsular tension ring or other complex maneuver was needed. Uneventful.",
        "CPT",
        "66984",
        "ophthalmology",
        "The narrative documents a surgical procedure: cataract removal by phacoemulsification "
        "with intraocular lens insertion, CPT 66984. The note explicitly says no devices or "
        "complex techniques were needed, so the complex cataract code 66982 is not supported. "
        "The cataract diagnosis explains why surgery was done but does not describe the service.",
        "wrong_code_type",
        "ICD10",
        "H25.11",
        "The patient has a visually significant age-related nuclear cataract of the right eye. "
        "The cataract is the condition being treated, so it is coded with right-eye laterality.",
    ),
    Pair(
        "Pulmonary function testing for chronic cough and suspected asthma in a 42 yo. "
        "Spirometry with flow-volume loops at baseline, repeated 15 minutes after four puffs of "
        "albuterol. FEV1 improved by 16% and 350 mL after the bronchodilator, consistent with "
        "reversible airflow obstruction.",
        "CPT",
        "94060",
        "pulmonology",
        "Spirometry was measured before and after a bronchodilator, which CPT reports with "
        "94060. Plain spirometry, 94010, is a single set of measurements without bronchodilator "
        "response testing. The documented FEV1 improvement confirms the post-bronchodilator "
        "measurement was done.",
        "near_miss_code",
        "CPT",
        "94010",
        "Spirometry with flow-volume loops was performed and showed reversible obstruction. "
        "Spirometry with a graphic record is reported.",
    ),
    Pair(
        "Routine screening mammogram for a 52 yo woman with no breast symptoms, no palpable lump "
        "and no prior abnormal imaging. Bilateral two-view digital mammography with "
        "computer-aided detection. BI-RADS 1, negative; return in one year.",
        "CPT",
        "77067",
        "radiology",
        "The patient has no symptoms or findings, so this is screening, not diagnostic, "
        "mammography. Bilateral screening mammography with computer-aided detection is 77067. "
        "The diagnostic codes 77065 and 77066 are for evaluating a symptom or an abnormal "
        "finding.",
        "missing_reasoning",
        "CPT",
        "77066",
    ),
    # ---- HCPCS Level II (15) ----
    Pair(
        "72 yo Medicare beneficiary at a fall-prevention visit asks for a flu shot. High-dose "
        "inactivated influenza vaccine given intramuscularly in the deltoid by the nurse after "
        "allergy screening; the vaccine product is reported separately. No reaction during 15 "
        "minutes of observation.",
        "HCPCS",
        "G0008",
        "general medicine",
        "Medicare requires HCPCS G0008 for administering an influenza vaccine, while most other "
        "payers use the CPT administration code 90471. The patient is a Medicare beneficiary "
        "and the vaccine product is reported separately, so the service to code is the "
        "administration: G0008.",
        "wrong_code_type",
        "CPT",
        "90471",
        "The nurse gave one vaccine by intramuscular injection and the vaccine itself is "
        "reported separately. One injected vaccine administration is coded with the CPT "
        "immunization administration code.",
    ),
    Pair(
        "Right shoulder subacromial bursa injection for impingement in a 57 yo. Drug supplied "
        "from clinic stock: methylprednisolone acetate 40 mg mixed with 1% lidocaine. The "
        "injection procedure is reported separately; this line is for the steroid supplied.",
        "HCPCS",
        "J1030",
        "orthopedics",
        "The supply to code is methylprednisolone acetate, which HCPCS reports by dose: J1020 "
        "for 20 mg, J1030 for 40 mg and J1040 for 80 mg. Exactly 40 mg was given, so J1030 with "
        "one unit is correct. The lidocaine is not reported separately.",
        "near_miss_code",
        "HCPCS",
        "J1040",
        "Methylprednisolone acetate was injected into the shoulder bursa. The methylprednisolone "
        "acetate code is assigned, using the 80 mg code as the standard depot dose.",
    ),
    Pair(
        "Supplier delivery note: a continuous positive airway pressure device was set up in the "
        "home for a 55 yo with obstructive sleep apnea (AHI 22 on a sleep study). Pressure set at "
        "9 cm H2O as ordered after titration. Patient taught use and cleaning and told about the "
        "four-hours-a-night adherence requirement.",
        "HCPCS",
        "E0601",
        "durable medical equipment",
        "The narrative is a supplier's delivery of durable medical equipment, which is coded "
        "with HCPCS Level II. A single fixed-pressure CPAP device is E0601; a bilevel device "
        "would be E0470 or E0471. The sleep apnea diagnosis supports coverage but is not the "
        "code for the item delivered.",
        "wrong_code_type",
        "ICD10",
        "G47.33",
        "The patient has obstructive sleep apnea with an AHI of 22 on a sleep study, which is "
        "why CPAP was prescribed. The sleep apnea diagnosis is coded.",
    ),
    Pair(
        "79 yo going home after a hip replacement, still unsteady on her feet. Physical therapy "
        "recommends a folding walker with two front wheels so she can advance it without "
        "lifting; dispensed at discharge with the height set to her wrist crease.",
        "HCPCS",
        "E0143",
        "orthopedics",
        "The item supplied is a walker that folds and has wheels, which is E0143. E0135 is a "
        "folding walker without wheels and E0141 a rigid wheeled walker. Nothing suggests a "
        "heavy-duty model (E0149).",
        "near_miss_code",
        "HCPCS",
        "E0135",
        "A folding walker adjusted to the patient's height was dispensed for use at home. The "
        "folding, adjustable walker code applies.",
    ),
    Pair(
        "68 yo with multiple sclerosis and weak arms cannot propel a standard-weight manual "
        "wheelchair around her home but can propel a lighter one, as shown in a seating "
        "evaluation by the therapist. A lightweight manual wheelchair was prescribed and "
        "delivered for daily use.",
        "HCPCS",
        "K0003",
        "physical medicine and rehabilitation",
        "The device is a manual wheelchair. The seating evaluation documents that she cannot "
        "self-propel a standard wheelchair but can propel a lightweight one, which is what "
        "K0003 requires. K0001 is the standard wheelchair and K0004 the high-strength "
        "lightweight model; neither matches.",
        "missing_reasoning",
        "HCPCS",
        "K0001",
    ),
    Pair(
        "Nondisplaced fracture at the base of the fifth metatarsal in a 45 yo. Fitted with a "
        "prefabricated walking boot with inflatable air cells, taken off the shelf without "
        "custom fitting, and told to bear weight as tolerated for six weeks.",
        "HCPCS",
        "L4361",
        "podiatry",
        "The item is a prefabricated walking boot. Its inflatable air cells make it a pneumatic "
        "boot, and it was applied off the shelf with no custom fitting, which makes it L4361. "
        "L4387 is a non-pneumatic boot and L4360 the custom-fitted pneumatic version.",
        "near_miss_code",
        "HCPCS",
        "L4387",
        "A prefabricated walking boot was supplied off the shelf for a metatarsal fracture. The "
        "off-the-shelf prefabricated walking boot code applies.",
    ),
    Pair(
        "Woman with type 2 diabetes on insulin who tests three times a day with the home glucose "
        "meter she has owned for two years. Refill dispensed: 100 blood glucose test strips for "
        "the coming month. The meter works and was not replaced.",
        "HCPCS",
        "A4253",
        "endocrinology",
        "The supply dispensed is test strips for a home glucose monitor, which HCPCS reports as "
        "A4253 per 50 strips, so 100 strips are two units. The meter itself (E0607) was not "
        "supplied, and lancets would be A4259.",
        "near_miss_code",
        "HCPCS",
        "E0607",
        "The patient uses a home blood glucose monitor three times daily, and supplies for it "
        "were dispensed. The home blood glucose monitor code applies.",
    ),
    Pair(
        "Medicare annual wellness visit for a 74 yo who had her first wellness visit in this "
        "office last year. Updated health risk assessment, medical and family history, list of "
        "current providers, cognitive screen and written screening schedule; personalized "
        "prevention plan revised. No problem-oriented care today.",
        "HCPCS",
        "G0439",
        "general medicine",
        "An annual wellness visit with a personalized prevention plan is coded G0438 or G0439. "
        "She already had her initial wellness visit last year, so this is a subsequent visit, "
        "G0439. G0438 is used once per lifetime, and the Welcome to Medicare exam is G0402.",
        "near_miss_code",
        "HCPCS",
        "G0438",
        "This is a Medicare annual wellness visit with a health risk assessment, cognitive "
        "screen and a personalized prevention plan. The annual wellness visit with personalized "
        "prevention plan code is assigned.",
    ),
    Pair(
        "Screening colonoscopy for a 62 yo Medicare patient with no personal history of polyps "
        "or colorectal cancer, no inflammatory bowel disease and no family history of colorectal "
        "cancer. Previous colonoscopy ten years ago was normal. Complete exam to the cecum; no "
        "polyps or lesions, no biopsies.",
        "HCPCS",
        "G0121",
        "gastroenterology",
        "Medicare screening colonoscopy is reported with a G code. The patient has no personal "
        "or family history or bowel disease that would make him high risk, so G0121 (not high "
        "risk) applies; G0105 is for high-risk patients. No biopsy or polypectomy turned the "
        "screening into a therapeutic procedure.",
        "near_miss_code",
        "HCPCS",
        "G0105",
        "A screening colonoscopy was done for a Medicare patient who had a previous colonoscopy "
        "ten years ago. Because of the prior colonoscopy, the high-risk screening colonoscopy "
        "code applies.",
    ),
    Pair(
        "Monthly nurse visit for a 66 yo with pernicious anemia on lifelong vitamin B12 "
        "replacement. Cyanocobalamin 1000 mcg given intramuscularly in the deltoid from clinic "
        "stock. Tolerated well; next dose in four weeks.",
        "HCPCS",
        "J3420",
        "hematology",
        "The narrative describes a drug supplied and injected, and drugs are coded with HCPCS "
        "Level II. Cyanocobalamin up to 1000 mcg is J3420, one unit for this dose. The "
        "pernicious anemia explains the need for the injection but is a diagnosis, not the item "
        "supplied.",
        "wrong_code_type",
        "ICD10",
        "D51.0",
        "The patient has pernicious anemia that needs monthly B12 injections. Vitamin B12 "
        "deficiency anemia due to intrinsic factor deficiency is coded.",
    ),
    Pair(
        "19 yo with two days of vomiting and diarrhea, dry mucous membranes and dizziness on "
        "standing. One liter of normal saline infused intravenously over an hour in the "
        "emergency department with improvement; tolerating oral fluids afterwards.",
        "HCPCS",
        "J7030",
        "emergency medicine",
        "The fluid supplied is normal saline, and HCPCS saline codes are defined by volume. One "
        "liter is 1000 cc, J7030 with one unit; J7050 is the 250 cc code. The infusion service "
        "itself is a separate CPT code.",
        "near_miss_code",
        "HCPCS",
        "J7050",
        "Normal saline was infused intravenously for dehydration. The normal saline infusion "
        "code is reported, with a unit for each 250 cc.",
    ),
    Pair(
        "911 call for a 70 yo who fell at home and has hip pain. A crew of two emergency medical "
        "technicians provided basic life support: vital signs, splinting and oxygen by nasal "
        "cannula. No IV line, cardiac monitoring or advanced airway. Emergency transport to the "
        "nearest hospital.",
        "HCPCS",
        "A0429",
        "emergency medicine",
        "This is an emergency ground ambulance transport with only basic life support "
        "interventions by EMTs. No advanced assessment or ALS intervention such as IV access, "
        "cardiac monitoring or medications took place, so the level is BLS emergency, A0429, "
        "not ALS1 emergency, A0427. Mileage is reported separately.",
        "near_miss_code",
        "HCPCS",
        "A0427",
        "The patient was transported emergently after a 911 call and given oxygen en route. An "
        "emergency response with oxygen therapy qualifies for the advanced life support "
        "emergency level.",
    ),
    Pair(
        "Recurrent platinum-sensitive ovarian cancer in a 59 yo: cycle 2 of single-agent "
        "carboplatin, 450 mg (AUC 5) infused intravenously over 30 minutes after standard "
        "premedication. Prepared by the infusion pharmacy from single-dose vials; no waste "
        "documented.",
        "HCPCS",
        "J9045",
        "oncology",
        "The drug supplied is carboplatin, which HCPCS reports as J9045 per 50 mg, so a 450 mg "
        "dose is nine units. Cisplatin (J9060) is a different platinum agent and was not given.",
        "missing_reasoning",
        "HCPCS",
        "J9060",
    ),
    Pair(
        "Before chemotherapy for lung cancer, a 64 yo received ondansetron 8 mg by intravenous "
        "push as antiemetic premedication; no other antiemetic was given. Infusion then "
        "proceeded without nausea.",
        "HCPCS",
        "J2405",
        "oncology",
        "Ondansetron was given intravenously, which is J2405, injection of ondansetron per "
        "1 mg, so 8 mg is eight units. Q0162 is oral ondansetron used as a full replacement for "
        "an IV antiemetic, and this dose was not oral.",
        "near_miss_code",
        "HCPCS",
        "Q0162",
        "Ondansetron was given as an antiemetic with chemotherapy. Ondansetron given with "
        "chemotherapy is reported with the chemotherapy antiemetic code.",
    ),
    Pair(
        "Sleep medicine follow-up: 63 yo with obstructive sleep apnea and obesity "
        "hypoventilation who could not tolerate CPAP despite mask changes and trials at several "
        "pressures. A bilevel positive airway pressure device without a backup rate was "
        "prescribed and delivered, set at IPAP 16 and EPAP 10 cm H2O.",
        "HCPCS",
        "E0470",
        "pulmonology",
        "The equipment is a bilevel respiratory assist device, not a single-pressure CPAP. "
        "Without a backup rate it is E0470; with a backup rate it would be E0471. CPAP (E0601) "
        "was tried and failed, which is the documentation that supports the bilevel device.",
        "near_miss_code",
        "HCPCS",
        "E0601",
        "The patient has obstructive sleep apnea and was prescribed positive airway pressure "
        "therapy after a trial of CPAP. Positive airway pressure therapy for sleep apnea is "
        "coded as a CPAP device.",
    ),
]
