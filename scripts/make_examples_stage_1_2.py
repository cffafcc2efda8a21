"""Regenerate the shipped stage-1 and stage-2 example datasets from the table below.

    python scripts/make_examples_stage_1_2.py           # write data/examples/sample_stage_1/2 files
    python scripts/make_examples_stage_1_2.py --check   # exit 1 if the files are out of date

Every narrative here is synthetic, written by hand for THCE: no real patient, no names, dates,
places or identifiers. Each row is (narrative, code type, code, specialty) and, for stage 2,
the coder's reasoning. Code descriptions are not typed here: they come from THCE's code
databases (``thce.codes``), so the answers always match what the validator knows, and a code
missing from the shipped databases stops the script with an error.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from example_tools import describe, interleave, write_or_compare

from thce.codes import CodeValidator
from thce.data.formats import build_stage_1_example, build_stage_2_example

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO_ROOT / "data" / "examples"

# Required mix per file (issue 3): 40 % ICD-10-CM, 30 % CPT, 30 % HCPCS of 50 examples.
EXPECTED_COUNTS = {"ICD10": 20, "CPT": 15, "HCPCS": 15}


@dataclass(frozen=True)
class Row:
    """One authored example; ``reasoning`` is set for stage-2 rows only."""

    narrative: str
    code_type: str
    code: str
    specialty: str
    reasoning: str | None = None


# --------------------------------------------------------------------------------------------
# Stage 1: narrative -> code
# --------------------------------------------------------------------------------------------
STAGE_1_ROWS: list[Row] = [
    # ---- ICD-10-CM (20) ----
    Row(
        "58 yo male with type 2 diabetes for six years on metformin, seen for routine follow-up. "
        "A1c 6.8%. Dilated eye exam without retinopathy, monofilament sensation intact, urine "
        "albumin-to-creatinine ratio normal. No diabetic complications identified. Continue "
        "current regimen.",
        "ICD10",
        "E11.9",
        "endocrinology",
    ),
    Row(
        "Fatigue, cold intolerance, constipation and a 4 kg weight gain in a 45 yo woman. TSH 11.2 "
        "mIU/L with low free T4. No prior thyroid surgery, radioiodine or amiodarone exposure. "
        "Primary hypothyroidism; starting levothyroxine 50 mcg daily with TSH recheck in six "
        "weeks.",
        "ICD10",
        "E03.9",
        "endocrinology",
    ),
    Row(
        "52 yo man with three office readings averaging 152/96 over two months. Normal creatinine, "
        "no proteinuria, ECG without hypertrophy. No heart or kidney disease. Essential "
        "hypertension diagnosed; lisinopril 10 mg daily started and home blood pressure log "
        "requested.",
        "ICD10",
        "I10",
        "cardiology",
    ),
    Row(
        "Irregularly irregular pulse found at a preoperative visit for hernia repair in a 71 yo "
        "woman with treated hypertension. She reports occasional fluttering but no syncope, chest "
        "pain or breathlessness. ECG: atrial fibrillation, ventricular rate 88, no discernible P "
        "waves. Echo shows normal ventricular function and no significant valve disease. Onset "
        "and duration unknown, so the arrhythmia is not yet classified as paroxysmal, persistent "
        "or permanent. CHA2DS2-VASc score 3; apixaban started after discussing bleeding risk, "
        "surgery postponed, and rate control with metoprolol.",
        "ICD10",
        "I48.91",
        "cardiology",
    ),
    Row(
        "67 yo with known coronary artery disease, drug-eluting stent to the LAD years ago. Denies "
        "chest pain, pressure or exertional dyspnea; walks two miles daily. Recent nuclear stress "
        "test without ischemia. Continues aspirin and high-intensity statin.",
        "ICD10",
        "I25.10",
        "cardiology",
    ),
    Row(
        "19 yo college student with asthma since childhood. Uses albuterol about twice a week, no "
        "night awakenings, no oral steroids or urgent visits this season. Lungs clear, peak flow "
        "at personal best. Severity not classified in the note. Rescue inhaler refilled.",
        "ICD10",
        "J45.909",
        "pulmonology",
    ),
    Row(
        "Loud snoring, witnessed pauses in breathing and daytime sleepiness (Epworth 15) in a "
        "48 yo with BMI 36. Attended polysomnography showed an apnea-hypopnea index of 27, "
        "events predominantly obstructive, no central apneas. Diagnosis: obstructive sleep apnea; "
        "CPAP titration ordered.",
        "ICD10",
        "G47.33",
        "pulmonology",
    ),
    Row(
        "61 yo with progressive right knee pain worse on stairs and morning stiffness under 30 "
        "minutes. No injury. X-rays show medial joint space narrowing and osteophytes in the right "
        "knee; the left knee is asymptomatic and normal. Primary osteoarthritis, right knee. "
        "Physical therapy and topical diclofenac.",
        "ICD10",
        "M17.11",
        "orthopedics",
    ),
    Row(
        "Fell onto an outstretched right hand while skating. Wrist swollen and tender with visible "
        "deformity, skin intact, neurovascularly intact. Radiographs show a fracture of the "
        "distal radius, right side; fracture pattern not further described. Closed reduction and "
        "sugar-tong splint in the emergency department, first visit for this injury.",
        "ICD10",
        "S52.501A",
        "orthopedics",
    ),
    Row(
        "30 yo with four days of sore throat, clear rhinorrhea and mild dry cough. Afebrile, no "
        "tonsillar exudate, no lymphadenopathy, lungs clear. Rapid strep antigen negative. Acute "
        "viral upper respiratory infection; fluids, rest and saline spray advised.",
        "ICD10",
        "J06.9",
        "general medicine",
    ),
    Row(
        "Screening labs in an asymptomatic 55 yo: LDL 182 mg/dL, total cholesterol 265, "
        "triglycerides 190, HDL 44. No xanthomas, family history not suggestive of a familial "
        "disorder, and the lipid disorder is not further typed. Hyperlipidemia; atorvastatin "
        "20 mg nightly.",
        "ICD10",
        "E78.5",
        "general medicine",
    ),
    Row(
        "42 yo with burning retrosternal pain after meals and regurgitation several nights a week "
        "for months. Upper endoscopy showed a normal esophageal mucosa with no esophagitis, no "
        "Barrett changes. Gastroesophageal reflux disease; continue omeprazole 20 mg daily and "
        "elevate the head of the bed.",
        "ICD10",
        "K21.9",
        "gastroenterology",
    ),
    Row(
        "Nephrology follow-up for chronic kidney disease attributed to years of NSAID use, now "
        "stopped. eGFR 52 and 50 mL/min on two results three months apart; urine albumin normal. "
        "No diabetes and normal blood pressure. CKD stage 3a; avoid nephrotoxins, repeat labs in "
        "six months.",
        "ICD10",
        "N18.31",
        "nephrology",
    ),
    Row(
        "28 yo with recurrent throbbing one-sided headaches with nausea and light sensitivity, "
        "lasting 6 to 12 hours, two or three per month. No visual or sensory aura. Attacks respond "
        "to sumatriptan; never lasted more than a day. Normal neurologic exam. Migraine without "
        "aura, not intractable.",
        "ICD10",
        "G43.009",
        "neurology",
    ),
    Row(
        "Well-demarcated red plaques with thick silvery scale on both elbows and knees and the "
        "scalp margin, about 5% body surface area, with nail pitting. No joint pain or swelling. "
        "Chronic plaque psoriasis; clobetasol ointment twice daily on weekdays.",
        "ICD10",
        "L40.0",
        "dermatology",
    ),
    Row(
        "G2P1 at 30 weeks with gestational diabetes diagnosed on the 3-hour glucose tolerance test "
        "at 26 weeks. Fasting and postprandial readings at target with medical nutrition therapy "
        "alone; no insulin or oral agents. Fetal growth appropriate on ultrasound.",
        "ICD10",
        "O24.410",
        "obstetrics/gynecology",
    ),
    Row(
        "36 yo with more than a year of excessive worry about work, finances and health on most "
        "days, with restlessness, poor concentration, muscle tension and trouble falling asleep. "
        "No panic attacks, no depressive episode. GAD-7 score 14. Generalized anxiety disorder; "
        "sertraline and CBT referral.",
        "ICD10",
        "F41.1",
        "psychiatry",
    ),
    Row(
        "Intraocular pressure 26 mmHg right and 25 mmHg left with open angles on gonioscopy. "
        "Glaucomatous optic nerve cupping with rim thinning in both eyes, but visual fields are "
        "normal in both, consistent with mild-stage disease. Primary open-angle glaucoma of both "
        "eyes; latanoprost drops nightly in each eye.",
        "ICD10",
        "H40.1131",
        "ophthalmology",
    ),
    Row(
        "54 yo woman with a palpable mass at the 10 o'clock position of the right breast, upper-"
        "outer quadrant. Core needle biopsy: invasive ductal carcinoma, ER and PR positive, HER2 "
        "negative. Staging imaging pending; referred to surgical oncology to discuss lumpectomy.",
        "ICD10",
        "C50.411",
        "oncology",
    ),
    Row(
        "44 yo to the emergency department with two hours of intermittent chest pain at rest, "
        "not pleuritic and not reproducible on palpation. Two troponins negative, ECG normal, "
        "chest X-ray clear, D-dimer negative. Cause not determined after workup; discharged with "
        "outpatient stress test.",
        "ICD10",
        "R07.9",
        "emergency medicine",
    ),
    # ---- CPT (15) ----
    Row(
        "Office visit for an established patient, 47 yo, following up seasonal allergic rhinitis "
        "that is well controlled on fluticasone nasal spray. No new symptoms. Focused exam of the "
        "nose and throat is normal. Prescription renewed. Low-complexity medical decision making: "
        "one stable chronic illness with prescription drug management.",
        "CPT",
        "99213",
        "general medicine",
    ),
    Row(
        "New patient, never seen before by this endocrinology practice, referred for a 1.8 cm "
        "thyroid nodule found incidentally on a neck CT. Reviewed the outside imaging and a "
        "normal TSH, ordered a thyroid ultrasound and fine-needle aspiration. New problem with "
        "uncertain prognosis; moderate-complexity medical decision making, 50 minutes total.",
        "CPT",
        "99204",
        "endocrinology",
    ),
    Row(
        "Emergency department visit for a 70 yo with sudden severe abdominal and back pain, "
        "pale and hypotensive. Bedside ultrasound and CT angiography show a leaking abdominal "
        "aortic aneurysm. Two large-bore lines, blood products, emergent vascular surgery "
        "consult for repair. Emergency physician documents high-complexity decision making for "
        "an immediate threat to life.",
        "CPT",
        "99285",
        "emergency medicine",
    ),
    Row(
        "In-office 12-lead electrocardiogram for a 60 yo with intermittent palpitations. The "
        "tracing was recorded by the medical assistant and interpreted by the cardiologist, who "
        "signed a written report: sinus rhythm at 74 with occasional premature atrial "
        "complexes, normal intervals.",
        "CPT",
        "93000",
        "cardiology",
    ),
    Row(
        "Outpatient chest radiograph for a nonsmoker with six weeks of persistent dry cough. "
        "Posteroanterior and lateral views obtained, two views in total. Radiologist reports "
        "clear lungs, no effusion, normal heart size and mediastinum.",
        "CPT",
        "71046",
        "pulmonology",
    ),
    Row(
        "Diabetes monitoring: venous blood sent to the laboratory for a glycated hemoglobin "
        "measurement to track glucose control over the past three months. Result 7.1%, improved "
        "from 7.9%. No other tests ordered at this draw.",
        "CPT",
        "83036",
        "endocrinology",
    ),
    Row(
        "Colonoscopy for a 62 yo with iron deficiency anemia. Scope advanced to the cecum with "
        "good preparation, appendiceal orifice and ileocecal valve photographed. A 6 mm flat "
        "lesion in the ascending colon was sampled with cold forceps biopsy; no polyp removal "
        "by snare. Remaining mucosa normal.",
        "CPT",
        "45380",
        "gastroenterology",
    ),
    Row(
        "Painful swollen left knee with a large effusion. After sterile preparation, the knee "
        "joint was entered by palpation, without ultrasound guidance, and 35 mL of cloudy yellow "
        "fluid aspirated. Fluid sent for cell count, crystals and culture. No medication "
        "injected.",
        "CPT",
        "20610",
        "orthopedics",
    ),
    Row(
        "Pulmonary function lab: spirometry for chronic cough, with FVC, FEV1 and a flow-volume "
        "loop recorded and a graphic record produced. No bronchodilator given and no "
        "post-bronchodilator measurements. FEV1/FVC 0.78, normal study.",
        "CPT",
        "94010",
        "pulmonology",
    ),
    Row(
        "Complete transthoracic echocardiogram for a new systolic murmur: 2D and M-mode imaging "
        "with full spectral and color flow Doppler. Moderate aortic stenosis, mean gradient "
        "28 mmHg, valve area 1.2 cm2; ejection fraction 60%; no pericardial effusion.",
        "CPT",
        "93306",
        "cardiology",
    ),
    Row(
        "Individual psychotherapy with the patient alone for panic disorder: cognitive "
        "restructuring of catastrophic thoughts and planning of interoceptive exposure "
        "exercises. Face-to-face psychotherapy time 45 minutes. No medication management or "
        "separate medical evaluation today.",
        "CPT",
        "90834",
        "psychiatry",
    ),
    Row(
        "Right eye surgery for a visually significant nuclear cataract: phacoemulsification of "
        "the lens with placement of a foldable posterior chamber intraocular lens in the "
        "capsular bag. Routine case, no iris expansion device, no capsular dye, no additional "
        "procedures.",
        "CPT",
        "66984",
        "ophthalmology",
    ),
    Row(
        "Routine screening mammogram for a 52 yo woman with no breast symptoms, lumps or nipple "
        "discharge. Bilateral two-view digital images with computer-aided detection. BI-RADS 1, "
        "negative; routine screening in one year.",
        "CPT",
        "77067",
        "radiology",
    ),
    Row(
        "A 7 mm pearly papule with rolled borders on the left cheek, suspicious for basal cell "
        "carcinoma. Sampled by shave (tangential) biopsy with a flexible blade; hemostasis with "
        "aluminum chloride. Single lesion biopsied, specimen sent to pathology.",
        "CPT",
        "11102",
        "dermatology",
    ),
    Row(
        "74 yo with sudden word-finding difficulty and right arm weakness that began 50 minutes "
        "before arrival. Stroke alert: CT of the head performed without intravenous contrast to "
        "exclude hemorrhage before thrombolysis. No bleed, no early ischemic changes.",
        "CPT",
        "70450",
        "neurology",
    ),
    # ---- HCPCS Level II (15) ----
    Row(
        "3 yo with a barky cough, hoarse voice and stridor only when crying, for one day. Mild "
        "croup. A single dose of dexamethasone sodium phosphate 10 mg was given intramuscularly "
        "from clinic stock before discharge home.",
        "HCPCS",
        "J1100",
        "pediatrics",
    ),
    Row(
        "Right shoulder subacromial bursitis not improved with six weeks of therapy. Injected "
        "triamcinolone acetonide 40 mg mixed with lidocaine into the subacromial space. Drug "
        "supplied from office stock; report the corticosteroid supplied.",
        "HCPCS",
        "J3301",
        "orthopedics",
    ),
    Row(
        "38 yo with renal colic from a 4 mm distal ureteral stone on CT. Ketorolac tromethamine "
        "30 mg given intravenously in the emergency department with good pain relief; "
        "discharged with tamsulosin and a strainer.",
        "HCPCS",
        "J1885",
        "emergency medicine",
    ),
    Row(
        "Uncomplicated urethral gonorrhea confirmed by nucleic acid amplification test in a "
        "26 yo. Treated in clinic with a single intramuscular injection of ceftriaxone 500 mg; "
        "counseling on partner treatment and test of cure given.",
        "HCPCS",
        "J0696",
        "infectious disease",
    ),
    Row(
        "Pernicious anemia with positive intrinsic factor antibodies, on monthly maintenance "
        "injections. Cyanocobalamin 1000 mcg injected intramuscularly by the nurse today. "
        "Blood count now normal, including hemoglobin and MCV; continue monthly.",
        "HCPCS",
        "J3420",
        "general medicine",
    ),
    Row(
        "Grade 2 left ankle sprain, told to stay non-weight-bearing for one week. Dispensed a "
        "pair of adjustable aluminum underarm crutches with pads, tips and handgrips; gait "
        "training provided before discharge.",
        "HCPCS",
        "E0114",
        "orthopedics",
    ),
    Row(
        "82 yo with gait instability after hip fracture repair, unsafe with a single-point cane. "
        "Physical therapy recommends a folding, height-adjustable walker with two front wheels "
        "for home use. Order signed and item delivered to the home.",
        "HCPCS",
        "E0143",
        "DME/supplies",
    ),
    Row(
        "Newly diagnosed moderate obstructive sleep apnea, AHI 22 on a home sleep test. "
        "Ordered a continuous positive airway pressure device set at 10 cm H2O for nightly use, "
        "with adherence download at 90 days.",
        "HCPCS",
        "E0601",
        "pulmonology",
    ),
    Row(
        "Insulin-treated type 2 diabetes, checking blood glucose four times a day with a home "
        "meter. Monthly supply dispensed: blood glucose test strips for the home monitor, "
        "packaged 50 strips per box, three boxes.",
        "HCPCS",
        "A4253",
        "endocrinology",
    ),
    Row(
        "Long-term CPAP user who breathes through the mouth and cannot tolerate nasal pillows. "
        "Replacement full face mask covering the nose and mouth dispensed under the routine "
        "resupply schedule; headgear and tubing not replaced this time.",
        "HCPCS",
        "A7030",
        "DME/supplies",
    ),
    Row(
        "Carpal tunnel syndrome with nighttime numbness of the right hand. Fitted with a "
        "prefabricated wrist cock-up splint that holds the wrist in slight extension, taken off "
        "the shelf with no custom molding or adjustment by an orthotist.",
        "HCPCS",
        "L3908",
        "orthopedics",
    ),
    Row(
        "Medicare beneficiary, 67 yo, enrolled in Part B for over a year, here for her first "
        "annual wellness visit: health risk assessment, review of medications and current "
        "providers, cognitive screen, fall risk review and a written personalized prevention "
        "plan. No problem-oriented visit.",
        "HCPCS",
        "G0438",
        "general medicine",
    ),
    Row(
        "Medicare patient, 71 yo, receives the seasonal influenza vaccine in the office; the "
        "nurse administers the intramuscular injection into the left deltoid. Report the "
        "administration service for this Medicare beneficiary; the vaccine product is reported "
        "on its own line.",
        "HCPCS",
        "G0008",
        "general medicine",
    ),
    Row(
        "Medicare beneficiary, 60 yo woman, seen for a screening pelvic exam without "
        "gynecologic symptoms. Cervical cells collected with a spatula and brush, placed in "
        "liquid medium and sent to the laboratory for screening cytology.",
        "HCPCS",
        "Q0091",
        "obstetrics/gynecology",
    ),
    Row(
        "Bed-confined 80 yo transported by ground ambulance from a skilled nursing facility to "
        "a scheduled outpatient dialysis session. Stable vital signs, no emergency; basic life "
        "support crew with no advanced interventions.",
        "HCPCS",
        "A0428",
        "emergency medicine",
    ),
]

# --------------------------------------------------------------------------------------------
# Stage 2: narrative -> reasoning + code
# --------------------------------------------------------------------------------------------
STAGE_2_ROWS: list[Row] = [
    # ---- ICD-10-CM (20) ----
    Row(
        "64 yo woman with type 2 diabetes, poorly controlled. Home fasting glucose in the 250s, "
        "A1c 10.4% up from 8.1%, with polyuria and thirst. Foot exam, eye exam and urine albumin "
        "normal; no neuropathy, nephropathy or retinopathy. Adding insulin glargine 10 units at "
        "bedtime.",
        "ICD10",
        "E11.65",
        "endocrinology",
        "The note documents type 2 diabetes with marked hyperglycemia (A1c 10.4%, fasting "
        "glucose in the 250s) and states there are no eye, kidney or nerve complications. "
        "ICD-10-CM has a combination code for type 2 diabetes with hyperglycemia, E11.65, which "
        "is more specific than E11.9 (without complications) once hyperglycemia is documented. "
        "Insulin use alone would add Z79.4 as a secondary code but does not change the primary "
        "code.",
    ),
    Row(
        "Type 2 diabetes for 15 years in a 69 yo man. eGFR 48 and 45 mL/min three months apart "
        "with urine albumin-to-creatinine ratio of 320 mg/g. The nephrologist attributes the "
        "kidney disease to diabetes. Blood pressure normal off medication. Started empagliflozin.",
        "ICD10",
        "E11.22",
        "endocrinology",
        "Persistent reduced eGFR with albuminuria means chronic kidney disease, and the note "
        'explicitly links it to diabetes (ICD-10-CM\'s "with" convention would presume the link '
        "anyway). The combination code E11.22, type 2 diabetes with diabetic chronic kidney "
        "disease, is required rather than E11.9 or E11.21 (diabetic nephropathy), because chronic "
        "kidney disease itself is documented. The CKD stage would be reported "
        "with an additional N18 code, but the single best code for the encounter is E11.22.",
    ),
    Row(
        "Heart failure clinic: 72 yo with ischemic cardiomyopathy, ejection fraction 30% on the "
        "most recent echocardiogram. NYHA class II, weight stable, no edema, lungs clear. Taking "
        "sacubitril-valsartan, carvedilol and spironolactone. No acute decompensation at this "
        "visit.",
        "ICD10",
        "I50.22",
        "cardiology",
        "An ejection fraction of 30% means heart failure with reduced ejection fraction, which "
        "ICD-10-CM classifies as systolic heart failure. The patient is stable with no "
        "decompensation, so the acuity is chronic, not acute or acute on chronic. That points to "
        "I50.22, chronic systolic heart failure, instead of the unspecified I50.9.",
    ),
    Row(
        "60 yo man with diabetes and a long smoking history, admitted after 40 minutes of "
        "substernal pressure radiating to the left arm with sweating and nausea, which eased "
        "after nitroglycerin. Serial troponin I rose from 0.08 to 2.4 ng/mL over six hours. "
        "Initial and repeat ECGs show ST depression in V4 to V6 without ST elevation in any "
        "lead. Started on a heparin drip, aspirin, ticagrelor and atorvastatin 80 mg; cardiac "
        "catheterization planned within 24 hours. Final impression: non-ST elevation myocardial "
        "infarction.",
        "ICD10",
        "I21.4",
        "cardiology",
        "Ischemic chest pain with a rising troponin is an acute myocardial infarction. The ECG "
        "shows ST depression and explicitly no ST elevation, so this is a non-ST elevation "
        "infarction, coded I21.4, not an I21.0- to I21.3 STEMI code. Unstable angina (I20.0) does "
        "not fit because myocardial necrosis is proven by the troponin rise.",
    ),
    Row(
        "73 yo former smoker with known COPD, three days of worse breathlessness, increased "
        "sputum that turned green, and wheezing. SpO2 89% on room air. Chest film without "
        "infiltrate. Nebulized bronchodilators, prednisone 40 mg and doxycycline for an acute "
        "exacerbation.",
        "ICD10",
        "J44.1",
        "pulmonology",
        "The patient has established COPD with an acute worsening of dyspnea and sputum, "
        "documented as an exacerbation. The chest film has no infiltrate, so there is no "
        "pneumonia and J44.0 (COPD with acute lower respiratory infection) does not apply. The "
        "correct code is J44.1, COPD with acute exacerbation, rather than J44.9.",
    ),
    Row(
        "Fever to 38.9 C, productive cough and pleuritic pain for three days in a 66 yo. Crackles "
        "at the right base; chest X-ray shows right lower lobe consolidation. Sputum culture and "
        "blood cultures pending, no organism identified. Community-acquired pneumonia; started "
        "ceftriaxone and azithromycin.",
        "ICD10",
        "J18.9",
        "pulmonology",
        "Fever, productive cough and a new consolidation confirm pneumonia. No organism has been "
        "identified, since cultures are still pending, so an organism-specific code such as "
        "J13 or J15.- cannot be assigned. The provider does not call it lobar pneumonia, so "
        "J18.9, pneumonia with unspecified organism, is the supported code.",
    ),
    Row(
        "Twisting injury to the right ankle stepping off a curb. Tender over the lateral "
        "malleolus, unable to bear weight. X-ray: displaced fracture of the distal fibula at the "
        "lateral malleolus, medial side intact, skin intact. Placed in a posterior splint at this "
        "first visit; orthopedic referral.",
        "ICD10",
        "S82.61XA",
        "orthopedics",
        "Imaging shows a displaced fracture of the lateral malleolus of the right fibula, an "
        "isolated injury with the medial malleolus intact, so it is not a bimalleolar fracture. "
        "Laterality is right and displacement is documented, which gives S82.61-. The skin is "
        "intact (closed fracture) and this is active treatment at the first visit, so the seventh "
        "character is A, with X placeholders: S82.61XA.",
    ),
    Row(
        "47 yo with low back pain radiating down the back of the left leg to the foot for six "
        "weeks, with numbness on the lateral foot. Positive straight-leg raise on the left, "
        "reduced ankle reflex. MRI shows an L5-S1 disc protrusion compressing the left S1 nerve "
        "root. Assessment: S1 radiculopathy due to the L5-S1 disc herniation; physical therapy "
        "and gabapentin.",
        "ICD10",
        "M51.17",
        "orthopedics",
        "Radiating leg pain with dermatomal numbness, a positive straight-leg raise and a reduced "
        "reflex document radiculopathy, and the provider attributes it to the disc herniation. "
        "ICD-10-CM codes a disc disorder with radiculopathy as one combination code (M51.1-), "
        "and M54.1- radiculopathy has an Excludes1 note for that case, so M54.16 or M54.17 "
        "would be wrong. The L5-S1 level is the lumbosacral region, which gives M51.17 rather "
        "than M51.16 (lumbar).",
    ),
    Row(
        "34 yo woman with two days of dysuria, urinary frequency and urgency, no fever, no flank "
        "pain, no vaginal discharge. Urine dipstick positive for leukocyte esterase and nitrites. "
        "Not pregnant. Uncomplicated urinary tract infection; nitrofurantoin for five days.",
        "ICD10",
        "N39.0",
        "general medicine",
        "Dysuria, frequency and urgency with a positive leukocyte esterase and nitrite support a "
        "urinary tract infection. The site is not documented as bladder (cystitis, N30.-) or "
        "kidney (pyelonephritis, N10), and there are no fever or flank findings to suggest upper "
        "tract disease. The provider documents urinary tract infection, site not specified, "
        "which is N39.0.",
    ),
    Row(
        "41 yo with fatigue and exertional breathlessness. Labs show hemoglobin 9.6 g/dL, MCV "
        "72 fL, ferritin 6 ng/mL. Heavy periods reported but no workup yet linking the anemia to "
        "blood loss; GI symptoms absent. Iron deficiency anemia; oral iron started, further "
        "evaluation planned.",
        "ICD10",
        "D50.9",
        "general medicine",
        "Microcytic anemia with a very low ferritin is iron deficiency anemia. Although heavy "
        "menses are mentioned, the provider has not yet attributed the anemia to chronic blood "
        "loss, so D50.0 is not supported. D50.9, iron deficiency anemia unspecified, matches "
        "the documented diagnosis.",
    ),
    Row(
        "59 yo with two days of left lower quadrant pain, fever of 38.3 C and mild leukocytosis. "
        "CT abdomen shows sigmoid diverticulitis with pericolic fat stranding, no abscess, no "
        "free air, no bleeding. Outpatient oral antibiotics and clear liquids.",
        "ICD10",
        "K57.32",
        "gastroenterology",
        "CT confirms diverticulitis of the sigmoid colon, which is part of the large intestine, "
        "so the K57.2-/K57.3- large-intestine codes apply. The report explicitly rules out "
        "perforation and abscess (K57.20) and there is no bleeding (K57.33). This leads to "
        "K57.32, diverticulitis of large intestine without perforation or abscess without "
        "bleeding.",
    ),
    Row(
        "Follow-up for chronic kidney disease of unclear cause in a 74 yo without diabetes or "
        "hypertension. eGFR 24 and 22 mL/min over four months, potassium 5.1, hemoglobin 10.8. "
        "Not on dialysis. Discussed renal replacement therapy options and vein preservation.",
        "ICD10",
        "N18.4",
        "nephrology",
        "Two eGFR values between 15 and 29 more than three months apart define chronic kidney "
        "disease stage 4. Diabetes and hypertension are documented as absent, so no combination "
        "code such as E11.22 or I12.9 is needed, and the patient is not on dialysis. The stage-"
        "specific code is N18.4 rather than the unspecified N18.9.",
    ),
    Row(
        "68 yo with resting tremor of the right hand, bradykinesia and cogwheel rigidity, "
        "diagnosed with Parkinson's disease three years ago. Good response to carbidopa-levodopa "
        "25/100 mg three times daily with no wearing-off periods and no involuntary movements. "
        "Continue current dose.",
        "ICD10",
        "G20.A1",
        "neurology",
        "The diagnosis is idiopathic Parkinson's disease, which ICD-10-CM codes in G20.A-. The "
        "note states there are no involuntary movements (no dyskinesia) and no wearing-off "
        "(no fluctuations). That selects G20.A1, Parkinson's disease without dyskinesia, "
        "without mention of fluctuations, rather than G20.A2 or the G20.B- dyskinesia codes.",
    ),
    Row(
        "Spreading redness, warmth and swelling of the right lower leg for three days after a "
        "scrape while gardening. Temperature 38.1 C, tender erythema with an irregular border, no "
        "fluctuance on exam or abscess on bedside ultrasound. Cellulitis; oral cephalexin and leg "
        "elevation.",
        "ICD10",
        "L03.115",
        "dermatology",
        "Warm, tender, spreading erythema without fluctuance is cellulitis, and ultrasound rules "
        "out an abscess that would need L02.-. The site is the lower leg on the right side, which "
        "ICD-10-CM codes as cellulitis of the right lower limb, L03.115. Laterality matters here: "
        "L03.116 is the left side and L03.119 is unspecified limb.",
    ),
    Row(
        "24 yo in her first pregnancy at 20 weeks for a routine prenatal visit. No complications: "
        "normal blood pressure, urine negative for protein and glucose, fundal height matches "
        "dates, fetal heart rate 148. Anatomy scan normal. Return in four weeks.",
        "ICD10",
        "Z34.02",
        "obstetrics/gynecology",
        "This is routine supervision of an uncomplicated pregnancy, so a Z34 code is used "
        "instead of an O-chapter complication code. It is her first pregnancy (Z34.0-) and "
        "20 weeks falls in the second trimester (14 weeks 0 days to less than 28 weeks), giving "
        "Z34.02.",
    ),
    Row(
        "32 yo with six weeks of low mood, loss of interest, poor sleep, low energy and trouble "
        "concentrating, affecting work. PHQ-9 score 16. No prior depressive episodes, no mania, "
        "no psychotic features, no suicidal ideation. Major depressive disorder, first episode, "
        "moderate; starting escitalopram.",
        "ICD10",
        "F32.1",
        "psychiatry",
        "Five or more depressive symptoms for over two weeks with functional impairment meet "
        "criteria for major depressive disorder. It is the first episode (single episode, F32.-, "
        "not recurrent F33.-), and the severity is documented as moderate, consistent with a "
        "PHQ-9 of 16. That gives F32.1 instead of the unspecified F32.9.",
    ),
    Row(
        "76 yo with gradual blurring of distance vision and glare from headlights in both eyes. "
        "Best corrected acuity 20/50 right and 20/60 left. Slit lamp shows dense nuclear "
        "sclerosis in each lens, no other ocular pathology. Age-related nuclear cataracts; "
        "cataract surgery discussed.",
        "ICD10",
        "H25.13",
        "ophthalmology",
        "The slit lamp finding is nuclear sclerosis of the lens in an older adult, which is "
        "age-related nuclear cataract (H25.1-). Both eyes are affected, and ICD-10-CM has a "
        "bilateral code, H25.13, so it is preferred over coding each eye separately or using "
        "the unspecified H25.9.",
    ),
    Row(
        "63 yo heavy former smoker with a spiculated 3.2 cm mass in the left upper lobe on CT. "
        "Bronchoscopic biopsy confirms adenocarcinoma of the lung. No distant metastases on PET. "
        "Referred to thoracic surgery for lobectomy evaluation.",
        "ICD10",
        "C34.12",
        "oncology",
        "Biopsy confirms a primary lung malignancy, coded in C34.-. The tumor is in the upper "
        "lobe (C34.1-) on the left side, so the sixth character is 2: C34.12. Histology "
        "(adenocarcinoma) does not change the ICD-10-CM code, and no secondary sites are "
        "documented.",
    ),
    Row(
        "16 yo struck head-to-head during a soccer match. No loss of consciousness per "
        "teammates and coach, but headache, dizziness and feeling foggy since. GCS 15, normal "
        "neurologic exam, no CT indicated by decision rule. Concussion; cognitive and physical "
        "rest with graded return to play.",
        "ICD10",
        "S06.0X0A",
        "emergency medicine",
        "The provider diagnoses a concussion after head trauma, coded in S06.0X-. Loss of "
        "consciousness is explicitly denied, so the sixth character is 0 (without loss of "
        "consciousness) rather than 1 or 9. This is the initial encounter for active treatment, "
        "so the seventh character is A: S06.0X0A.",
    ),
    Row(
        "9 yo with sudden sore throat, fever of 39 C and headache, no cough or runny nose. Tender "
        "anterior cervical nodes and tonsillar exudate. Rapid antigen test positive for group A "
        "streptococcus. Amoxicillin for ten days.",
        "ICD10",
        "J02.0",
        "pediatrics",
        "The clinical picture of pharyngitis is confirmed by a positive group A strep test. "
        "ICD-10-CM has a specific code, J02.0, streptococcal pharyngitis, which is preferred "
        "over J02.9 (acute pharyngitis, unspecified). The provider documents pharyngitis rather "
        "than tonsillitis, so J03.00 does not apply.",
    ),
    # ---- CPT (15) ----
    Row(
        "Established patient, 66 yo, for follow-up of hypertension and type 2 diabetes, both "
        "stable. Reviewed the home blood pressure log and recent A1c and basic metabolic panel; "
        "increased metformin to 1000 mg twice daily. Two stable chronic illnesses with "
        "prescription drug management; moderate medical decision making, 32 minutes total.",
        "CPT",
        "99214",
        "general medicine",
        "This is an office visit for an established patient, so the code comes from 99212 to "
        "99215. Medical decision making is moderate: two stable chronic illnesses give a "
        "moderate problem level and prescription drug management is moderate risk, meeting two "
        "of the three elements. That supports 99214, and the 32 minutes of total time falls in "
        "the same range; 99213 would undercode and 99215 needs high complexity.",
    ),
    Row(
        "First visit to this dermatology practice for a 29 yo with dry, cracked, scaly patches "
        "on the backs of both hands from frequent hand washing at work. Irritant hand "
        "dermatitis. Advised fragrance-free emollients, gloves for wet work and over-the-counter "
        "hydrocortisone 1%; no prescriptions. Low-complexity decision making.",
        "CPT",
        "99203",
        "dermatology",
        "The patient has never been seen by this practice, so a new-patient office visit code "
        "(99202 to 99205) applies, not an established-patient code such as 99213. The problem is "
        "one acute uncomplicated illness and management uses only over-the-counter products, so "
        "problems and risk are both low. Low-complexity decision making for a new patient is "
        "99203.",
    ),
    Row(
        "ED visit for a 35 yo with one day of right lower quadrant pain, no fever, no vomiting. "
        "Differential included appendicitis, ectopic pregnancy, ovarian torsion and a kidney "
        "stone. Ordered a CBC, urinalysis, urine pregnancy test and pelvic ultrasound; the "
        "emergency physician reviewed all results. Pregnancy test negative, white count normal, "
        "urine clear. Ultrasound shows a 4 cm simple right ovarian cyst with normal blood flow "
        "and no free fluid. Pain controlled with one dose of ketorolac; discharged with a "
        "prescription analgesic and gynecology follow-up. Moderate medical decision making.",
        "CPT",
        "99284",
        "emergency medicine",
        "Emergency department visits use 99281 to 99285 whether the patient is new or "
        "established. The undiagnosed new problem with uncertain prognosis, ordering and "
        "reviewing several tests, and prescription drug management make the decision making "
        "moderate, which is 99284. There was no threat to life or decision about admission or "
        "surgery that would support 99285.",
    ),
    Row(
        "Monitoring labs for a patient on lisinopril and a thiazide diuretic. Serum sent for "
        "glucose, BUN, creatinine, sodium, potassium, chloride, carbon dioxide, calcium, total "
        "protein, albumin, total bilirubin, alkaline phosphatase, AST and ALT, all ordered "
        "together as one panel.",
        "CPT",
        "80053",
        "nephrology",
        "The fourteen analytes listed are exactly the components of the comprehensive metabolic "
        "panel. When every component of a panel is performed, the panel code is reported "
        "instead of individual analyte codes. The liver tests and proteins make it more than "
        "the basic metabolic panel (80048), so the code is 80053.",
    ),
    Row(
        "Fasting blood sample in a 50 yo for cardiovascular risk assessment. Total cholesterol, "
        "HDL cholesterol and triglycerides measured, with LDL calculated by the laboratory "
        "rather than measured directly. No other analytes ordered.",
        "CPT",
        "80061",
        "cardiology",
        "Total cholesterol, HDL cholesterol and triglycerides are exactly the three required "
        "components of the lipid panel, so the panel code 80061 is reported instead of three "
        "separate analyte codes. The calculated LDL is part of the panel result and is not coded "
        "separately; only a directly measured LDL would add a code.",
    ),
    Row(
        "Persistent low back pain with left foot weakness despite eight weeks of conservative "
        "care. MRI of the lumbar spine performed without intravenous gadolinium. Findings: "
        "L4-L5 disc extrusion compressing the traversing left L5 nerve root.",
        "CPT",
        "72148",
        "orthopedics",
        "The study is magnetic resonance imaging, not CT, of the lumbar spine. No contrast was "
        "given, which selects 72148; 72149 is with contrast and 72158 is without followed by "
        "with contrast. The disc findings support medical necessity but do not change the "
        "imaging code.",
    ),
    Row(
        "Crohn's disease with a week of worsening abdominal pain and fever. CT of the abdomen "
        "and pelvis acquired as one exam after intravenous contrast, with no precontrast images. "
        "Terminal ileal wall thickening and mesenteric hyperemia, no abscess or obstruction.",
        "CPT",
        "74177",
        "gastroenterology",
        "Abdomen and pelvis were scanned in a single CT exam, so the combined codes 74176 to "
        "74178 apply instead of separate abdomen and pelvis codes. Only post-contrast images "
        "were acquired, which is 74177; 74176 is without contrast and 74178 is without followed "
        "by with contrast.",
    ),
    Row(
        "Upper endoscopy for dyspepsia and anemia. Flexible scope passed through the mouth to "
        "the second part of the duodenum. Antral erythema; cold forceps biopsies from the "
        "antrum and body sent for Helicobacter testing and histology. No other interventions.",
        "CPT",
        "43239",
        "gastroenterology",
        "A flexible transoral esophagogastroduodenoscopy is in the 43235 family. Biopsies were "
        "taken, so the code is 43239, which covers single or multiple biopsies and is reported "
        "once however many samples are taken. The diagnostic EGD 43235 is included and not "
        "reported separately.",
    ),
    Row(
        "Arthroscopy of the right knee for a torn medial meniscus with mechanical locking. "
        "Partial medial meniscectomy performed, with chondroplasty of the medial femoral "
        "condyle in the same compartment. Lateral meniscus intact and not treated.",
        "CPT",
        "29881",
        "orthopedics",
        "The main procedure is an arthroscopic meniscectomy of one meniscus (medial), which is "
        "29881; 29880 would require both the medial and lateral menisci. Code 29881 includes "
        "debridement and chondroplasty in the knee, so the chondroplasty is not reported "
        "separately.",
    ),
    Row(
        "Overnight study in the sleep laboratory for suspected sleep apnea in a 52 yo. A "
        "technologist attended all night, recording EEG, eye movements, chin EMG, ECG, airflow, "
        "respiratory effort and oximetry with sleep staging. No CPAP titration was performed.",
        "CPT",
        "95810",
        "pulmonology",
        "This is an attended in-laboratory polysomnogram with sleep staging and four or more "
        "additional parameters in an adult, which is 95810. It is not a home sleep apnea test, "
        "which has its own codes, and no positive airway pressure titration was done, so 95811 "
        "does not apply.",
    ),
    Row(
        "Individual psychotherapy for posttraumatic stress disorder using prolonged exposure "
        "therapy. Start and stop times documented: 58 minutes face to face with the patient. "
        "No medication management or evaluation and management service at this session.",
        "CPT",
        "90837",
        "psychiatry",
        "Psychotherapy codes are chosen by time: 90832 for 16 to 37 minutes, 90834 for 38 to 52 "
        "and 90837 for 53 minutes or more. The documented 58 minutes of face-to-face "
        "psychotherapy supports 90837. No evaluation and management service was provided, so "
        "no E/M code or psychotherapy add-on is needed.",
    ),
    Row(
        "Established patient with type 2 diabetes returns for a yearly eye exam: visual acuity, "
        "pupils, intraocular pressure, slit lamp examination and dilated fundus examination of "
        "both eyes. No diabetic retinopathy; return in one year.",
        "CPT",
        "92014",
        "ophthalmology",
        "Eye care visits can be reported with the ophthalmological service codes. This exam is "
        "comprehensive (it includes a dilated fundus examination and evaluation of the complete "
        "visual system), and the patient is established, giving 92014. The new-patient code "
        "92004 and the intermediate code 92012 do not match the documentation.",
    ),
    Row(
        "Transabdominal ultrasound at 22 weeks for a single fetus: biometry, amniotic fluid "
        "volume, placental location and the standard anatomy survey. Not a detailed fetal "
        "anatomic evaluation; no transvaginal imaging. Normal study.",
        "CPT",
        "76805",
        "obstetrics/gynecology",
        "At 22 weeks the pregnancy is past the first trimester, so the first-trimester code "
        "76801 does not apply. A standard transabdominal exam of a single fetus is 76805. The "
        "detailed anatomic evaluation 76811 was not performed, and a transvaginal study would "
        "be coded separately.",
    ),
    Row(
        "6 yo with fever and sore throat. A throat swab was tested in the office with a rapid "
        "group A streptococcus antigen immunoassay read visually on the test strip; result "
        "positive. Report the laboratory test performed.",
        "CPT",
        "87880",
        "pediatrics",
        "The service to code is the laboratory test, not the office visit. A rapid antigen "
        "immunoassay for group A streptococcus with direct optical (visual) reading is 87880. "
        "A molecular amplified probe test or a throat culture would use different codes.",
    ),
    Row(
        "Routine outpatient EEG after a first unprovoked seizure in a 24 yo. Recording of 40 "
        "minutes after sleep deprivation captured wakefulness and stage 2 sleep, with photic "
        "stimulation and hyperventilation. No epileptiform discharges.",
        "CPT",
        "95819",
        "neurology",
        "This is a standard EEG, not long-term monitoring. The recording includes both "
        "wakefulness and sleep, which is 95819; 95816 is awake and drowsy only, and 95822 is "
        "sleep or coma only. The activation procedures are part of the routine study.",
    ),
    # ---- HCPCS Level II (15) ----
    Row(
        "Acute gout flare of the left knee in a 70 yo who cannot take NSAIDs because of kidney "
        "disease. Injected methylprednisolone acetate 40 mg into the left knee joint. Drug "
        "supplied from clinic stock.",
        "HCPCS",
        "J1030",
        "rheumatology",
        "The drug supplied is reported with a HCPCS J-code, separately from the joint injection "
        "procedure. Methylprednisolone acetate is coded by dose: J1020 for 20 mg, J1030 for "
        "40 mg and J1040 for 80 mg, so 40 mg is J1030 with one unit. The sodium succinate form "
        "used intravenously has different codes.",
    ),
    Row(
        "Viral gastroenteritis with vomiting every hour and mild dehydration in a 27 yo. "
        "Ondansetron 4 mg given by intravenous push in the emergency department with a liter of "
        "saline; tolerating fluids afterwards.",
        "HCPCS",
        "J2405",
        "emergency medicine",
        "The drug given is injectable ondansetron, which is J2405, billed per 1 mg, so 4 mg is "
        "four units. Q0162 is oral ondansetron given with chemotherapy and does not fit an "
        "intravenous dose for gastroenteritis. The drug is reported with HCPCS even though the "
        "push itself has a CPT administration code.",
    ),
    Row(
        "Chronic migraine with more than 15 headache days a month despite two preventive drugs. "
        "OnabotulinumtoxinA 155 units injected across 31 sites of the head and neck per the "
        "standard protocol; no vial wastage.",
        "HCPCS",
        "J0585",
        "neurology",
        "The drug is onabotulinumtoxinA, reported with J0585 per 1 unit, so 155 units are "
        "billed. Other botulinum toxins (abobotulinumtoxinA, incobotulinumtoxinA, "
        "rimabotulinumtoxinB) have their own J-codes and must not be substituted. The "
        "chemodenervation procedure is coded separately with CPT.",
    ),
    Row(
        "Postmenopausal osteoporosis, T-score -3.1 at the hip, intolerant of oral "
        "bisphosphonates. Denosumab 60 mg given by subcutaneous injection in clinic; next dose "
        "in six months. Calcium and vitamin D continued.",
        "HCPCS",
        "J0897",
        "endocrinology",
        "The item to report is the drug, denosumab, which has the HCPCS code J0897 billed per "
        "1 mg. A 60 mg dose is therefore 60 units of J0897. The diagnosis of osteoporosis "
        "supports medical necessity but is coded in ICD-10-CM, not here.",
    ),
    Row(
        "Adjuvant chemotherapy for breast cancer: paclitaxel 175 mg/m2, a total of 300 mg, "
        "infused intravenously over three hours in the infusion center. Premedicated per "
        "protocol; no reaction.",
        "HCPCS",
        "J9267",
        "oncology",
        "The drug is conventional paclitaxel, reported with J9267 per 1 mg, so 300 units. "
        "Protein-bound paclitaxel has a separate code and must not be used for the standard "
        "formulation. The infusion time is coded with CPT administration codes, but the drug "
        "itself is this HCPCS code.",
    ),
    Row(
        "28 yo requesting injectable contraception. Negative urine pregnancy test. "
        "Medroxyprogesterone acetate 150 mg injected intramuscularly into the deltoid; return "
        "for the next injection in 12 weeks.",
        "HCPCS",
        "J1050",
        "obstetrics/gynecology",
        "The injected drug is medroxyprogesterone acetate, which HCPCS codes as J1050 per 1 mg, "
        "so a 150 mg dose is 150 units. The pregnancy test and the injection procedure are "
        "separate services; the question is the drug supplied, so J1050 is the code.",
    ),
    Row(
        "COPD with resting oxygen saturation of 86% on room air, confirmed on two readings at "
        "rest. Prescribed continuous home oxygen at 2 liters per minute through a stationary "
        "oxygen concentrator with a single delivery port.",
        "HCPCS",
        "E1390",
        "pulmonology",
        "Home oxygen equipment is reported with HCPCS E-codes. The order is for a stationary "
        "oxygen concentrator with one delivery port, which is E1390. Portable gaseous (E0431) "
        "or liquid oxygen systems are different items and were not ordered.",
    ),
    Row(
        "Home hospice patient, bed-bound, needs frequent head elevation to breathe comfortably. "
        "Ordered a hospital bed with electric head and foot adjustment and manual height "
        "adjustment, with side rails and a mattress included.",
        "HCPCS",
        "E0260",
        "DME/supplies",
        "The bed has electric head and foot motors but a manual height crank, which makes it "
        "semi-electric rather than total electric (E0265) or manual. A mattress is included, so "
        "E0260 applies rather than the without-mattress code E0261.",
    ),
    Row(
        "Type 1 diabetes on multiple daily insulin injections, checking glucose five times a "
        "day with a home meter. Dispensed replacement lancets for the fingerstick device, two "
        "boxes of 100 lancets each.",
        "HCPCS",
        "A4259",
        "endocrinology",
        "Glucose testing supplies are HCPCS A-codes. The item dispensed is lancets, reported "
        "with A4259 per box of 100, so two units. Test strips (A4253) and the spring-powered "
        "lancing device itself are separate codes and were not dispensed.",
    ),
    Row(
        "Neurogenic bladder after spinal cord injury, performing clean intermittent "
        "self-catheterization four times a day. Monthly supply of single-use straight-tip "
        "intermittent urinary catheters dispensed.",
        "HCPCS",
        "A4351",
        "urology",
        "The supply is intermittent urinary catheters with a straight tip, which is A4351, "
        "reported per catheter. A coude tip catheter would be A4352, and indwelling Foley "
        "catheters are separate codes. The spinal cord injury supports necessity but is not the "
        "supply code.",
    ),
    Row(
        "Stable fifth metatarsal shaft fracture of the right foot. Fitted with a prefabricated "
        "pneumatic walking boot taken off the shelf, with no trimming, bending or custom fitting "
        "by an orthotist. Weight bearing as tolerated.",
        "HCPCS",
        "L4361",
        "orthopedics",
        "Orthotic devices are HCPCS L-codes. The device is a pneumatic walking boot, "
        "prefabricated and dispensed off the shelf without custom fitting, which is L4361; the "
        "custom-fitted version and non-pneumatic boots have other codes. The fracture is coded "
        "separately in ICD-10-CM.",
    ),
    Row(
        "Medicare beneficiary, 74 yo, had her initial annual wellness visit twelve months ago. "
        "Today updated the health risk assessment, medication and provider lists, screening "
        "schedule and personalized prevention plan; cognitive screen negative.",
        "HCPCS",
        "G0439",
        "general medicine",
        "Medicare annual wellness visits are reported with HCPCS G-codes, not the CPT "
        "preventive medicine codes. Because the initial wellness visit was already done, this is "
        "a subsequent visit: G0439 rather than G0438.",
    ),
    Row(
        "Medicare beneficiary, 68 yo, with no personal or family history of colorectal cancer "
        "or polyps and no symptoms, for a screening colonoscopy. Scope to the cecum, good "
        "preparation, no polyps or lesions found, no biopsies taken.",
        "HCPCS",
        "G0121",
        "gastroenterology",
        "This is a screening colonoscopy in an asymptomatic Medicare patient at average risk, "
        "and no biopsy or polypectomy turned it into a therapeutic procedure. Medicare reports "
        "average-risk screening colonoscopy with G0121; G0105 is for high-risk patients, and "
        "the diagnostic CPT colonoscopy code does not apply to a screening.",
    ),
    Row(
        "Emergency call for crushing chest pain. Paramedic crew performed an advanced "
        "assessment, started an intravenous line, acquired a 12-lead ECG and gave aspirin, then "
        "transported the patient by ground ambulance to the nearest hospital.",
        "HCPCS",
        "A0427",
        "emergency medicine",
        "Ambulance services are HCPCS A-codes chosen by level and urgency. The call was an "
        "emergency, and the crew provided an advanced life support assessment and intervention "
        "(intravenous access, cardiac monitoring), which is ALS level 1 emergency, A0427. ALS "
        "level 2 requires several drug administrations or specific procedures, and mileage is "
        "reported separately.",
    ),
    Row(
        "Medicare beneficiary in primary care completes the PHQ-9 questionnaire as part of "
        "the yearly depression screening; 15 minutes spent, score 3, negative. Follow-up "
        "arrangements would be made for a positive screen.",
        "HCPCS",
        "G0444",
        "psychiatry",
        "The service is a yearly depression screening for a Medicare patient in primary care, "
        "which Medicare reports with the HCPCS code G0444. A negative result does not change "
        "the screening code, and no diagnostic psychiatric evaluation was performed.",
    ),
]


def build_records(stage: int, rows: list[Row], validator: CodeValidator) -> list[dict]:
    """Turn authored rows into stage-``stage`` example records with ids ``s<stage>-NNN``."""
    records = []
    for index, row in enumerate(interleave(rows), start=1):
        metadata = {"code_type": row.code_type, "specialty": row.specialty, "source": "synthetic"}
        extra = {"id": f"s{stage}-{index:03d}", "metadata": metadata}
        description = describe(validator, row.code_type, row.code)
        if stage == 1:
            record = build_stage_1_example(
                row.narrative, row.code_type, row.code, description, **extra
            )
        else:
            if not row.reasoning:
                raise SystemExit(f"stage-2 row {row.code_type} {row.code} has no reasoning")
            record = build_stage_2_example(
                row.narrative, row.reasoning, row.code_type, row.code, description, **extra
            )
        # Put the id first so the files read well.
        records.append({"id": record.pop("id"), **record})
    return records


def check_table() -> None:
    """Fail loudly on a table mistake: wrong mix, repeated narrative, bad length."""
    seen: set[str] = set()
    for stage, rows in ((1, STAGE_1_ROWS), (2, STAGE_2_ROWS)):
        counts = Counter(row.code_type for row in rows)
        if dict(counts) != EXPECTED_COUNTS:
            raise SystemExit(f"stage {stage}: code-type counts {dict(counts)} != {EXPECTED_COUNTS}")
        for row in rows:
            words = len(row.narrative.split())
            if not 20 <= words <= 120:
                raise SystemExit(f"stage {stage} {row.code}: narrative has {words} words (20-120)")
            if row.narrative in seen:
                raise SystemExit(f"stage {stage} {row.code}: narrative used twice")
            seen.add(row.narrative)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output-dir", type=Path, default=EXAMPLES_DIR)
    args = parser.parse_args(argv)

    check_table()
    validator = CodeValidator()
    outputs = {
        args.output_dir / "sample_stage_1.jsonl": build_records(1, STAGE_1_ROWS, validator),
        args.output_dir / "sample_stage_2.jsonl": build_records(2, STAGE_2_ROWS, validator),
    }
    return write_or_compare(outputs, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
